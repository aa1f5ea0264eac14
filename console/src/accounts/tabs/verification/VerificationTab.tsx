import { useQuery } from "@urql/preact";
import { ConsoleAccountVerificationsDocument, type ConsoleIdentityVerificationFragment } from "../../../generated/graphql.ts";
import { allows } from "../../../session/store-choice.ts";
import { formatDate } from "../../labels.tsx";
import { OutcomeLine, QueryError } from "../../../shared/OutcomeLine.tsx";
import { ReadOnlyHint, useAction } from "../action-state.tsx";
import type { TabProps } from "../registry.ts";
import { METHOD_NAMES } from "./methods.ts";
import { RevokeVerification } from "./RevokeVerification.tsx";
import { VerifyIdentityForm } from "./VerifyIdentityForm.tsx";

/** Manual identity verifications: who verified the customer under which policy, and who revoked it why. */
export function VerificationTab({ account, store }: TabProps) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: ConsoleAccountVerificationsDocument,
    variables: { id: account.id },
    requestPolicy: "network-only",
  });
  const action = useAction(() => reexecute({ requestPolicy: "network-only" }));
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  if (error) return <QueryError error={error} />;
  const customer = data?.customer;
  if (!customer) return fetching ? <p class="loading">Loading…</p> : null;
  const verifications = customer.identityVerifications.edges.map((edge) => edge.node);
  return (
    <>
      <p>
        Identity verified:{" "}
        {customer.identityVerified ? <span class="label label-good">Yes</span> : <span class="label label-warn">No</span>}
      </p>
      <ReadOnlyHint allowed={mayWrite} />
      <VerifyIdentityForm customerId={customer.id} allowed={mayWrite && !action.busy} run={action.run} />
      {verifications.length === 0 ? (
        <p>No identity verification recorded for this account.</p>
      ) : (
        <VerificationTable verifications={verifications} allowed={mayWrite && !action.busy} run={action.run} />
      )}
      <OutcomeLine outcome={action.outcome} />
    </>
  );
}

interface TableProps {
  verifications: readonly ConsoleIdentityVerificationFragment[];
  allowed: boolean;
  run: Parameters<typeof RevokeVerification>[0]["run"];
}

function VerificationTable({ verifications, allowed, run }: TableProps) {
  return (
    <table class="records">
      <caption>Verifications, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Policy</th>
          <th scope="col">Method</th>
          <th scope="col">Verified</th>
          <th scope="col">Evidence</th>
          <th scope="col">Revoked</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {verifications.map((v) => (
          <tr key={v.id}>
            <td>{v.policy.name}</td>
            <td>{METHOD_NAMES[v.method]}</td>
            <td>
              {formatDate(v.verifiedAt)} by {v.verifiedBy.name}
            </td>
            <td>{v.note}</td>
            <td>{v.revokedAt ? `${formatDate(v.revokedAt)} by ${v.revokedBy?.name ?? "—"}: ${v.revokeReason ?? ""}` : "—"}</td>
            <td>{v.active && <RevokeVerification verification={v} allowed={allowed} run={run} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
