import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAccountAuthenticatorsDocument, type ConsoleAuthenticatorFragment } from "../../../generated/graphql.ts";
import { allows } from "../../../session/store-choice.ts";
import { OutcomeLine, QueryError } from "../../../shared/OutcomeLine.tsx";
import { ReadOnlyHint, useAction } from "../action-state.tsx";
import { ApplicationChoice, resetLinkHint, type Application } from "../notify/ApplicationChoice.tsx";
import type { TabProps } from "../registry.ts";
import { AuthenticatorAction, type AuthenticatorActionProps } from "./AuthenticatorAction.tsx";
import { dateOrDash } from "../dates.ts";
import { describeAuthenticator, KIND_NAMES } from "./describe.ts";

/** How the customer proves who they are: password, contacts, authenticator apps, recovery codes, external identities. */
export function AuthenticatorsTab({ account, store }: TabProps) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: ConsoleAccountAuthenticatorsDocument,
    variables: { id: account.id },
    requestPolicy: "network-only",
  });
  const [application, setApplication] = useState<Application | null>(null);
  const action = useAction(() => reexecute({ requestPolicy: "network-only" }));
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  if (error) return <QueryError error={error} />;
  const customer = data?.customer;
  if (!customer) return fetching ? <p class="loading">Loading…</p> : null;
  const identities = customer.identities.edges.map((edge) => edge.node);
  const hint = resetLinkHint(application);
  return (
    <>
      <ReadOnlyHint allowed={mayWrite} />
      <div class="tab-form">
        <ApplicationChoice
          label="Tell the customer through"
          noneLabel="No application: send nothing (a reset token is shown here)"
          value={application}
          onChange={setApplication}
          disabled={!mayWrite}
        />
      </div>
      {hint && <p class="hint">{hint}</p>}
      <AuthenticatorTable
        customerId={customer.id}
        authenticators={customer.authenticators}
        identities={identities}
        application={application}
        allowed={mayWrite && !action.busy}
        run={action.run}
      />
      <OutcomeLine outcome={action.outcome} />
    </>
  );
}

interface TableProps extends Omit<AuthenticatorActionProps, "authenticator"> {
  authenticators: readonly ConsoleAuthenticatorFragment[];
}

function AuthenticatorTable({ customerId, authenticators, identities, application, allowed, run }: TableProps) {
  return (
    <table class="records">
      <caption>Authenticators</caption>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Details</th>
          <th scope="col">Added</th>
          <th scope="col">Last used</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {authenticators.map((authenticator) => (
          <tr key={authenticator.id} data-kind={authenticator.kind}>
            <td>{KIND_NAMES[authenticator.kind]}</td>
            <td>{describeAuthenticator(authenticator)}</td>
            <td>{dateOrDash(authenticator.createdAt)}</td>
            <td>{dateOrDash(authenticator.lastUsedAt)}</td>
            <td>
              <AuthenticatorAction
                customerId={customerId}
                authenticator={authenticator}
                identities={identities}
                application={application}
                allowed={allowed}
                run={run}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
