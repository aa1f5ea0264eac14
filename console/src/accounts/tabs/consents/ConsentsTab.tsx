import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAccountConsentsDocument, ConsoleRevokeConsentDocument } from "../../../generated/graphql.ts";
import { allows } from "../../../session/store-choice.ts";
import { outcomeOf, type Outcome } from "../../outcome.ts";
import { OutcomeLine, QueryError } from "../../../shared/OutcomeLine.tsx";
import { Pager, useCursorTrail } from "../../../shared/Pager.tsx";
import type { TabProps } from "../registry.ts";
import { ConsentTable } from "./ConsentTable.tsx";
import { PurposeFilter } from "./PurposeFilter.tsx";

const PAGE_SIZE = 20;
// A revocation answers the consent: lists that showed none yet are refreshed too.
const CONSENTS = { additionalTypenames: ["Consent"] };

/** The account's live consents (each revocable) and its consent history, optionally of one purpose. */
export function ConsentsTab({ account, store }: TabProps) {
  const [purpose, setPurpose] = useState("");
  const trail = useCursorTrail();
  const [{ data, error, fetching }] = useQuery({
    query: ConsoleAccountConsentsDocument,
    variables: { id: account.id, purpose: purpose || undefined, first: PAGE_SIZE, after: trail.after },
    context: CONSENTS,
  });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching: revoking }, revoke] = useMutation(ConsoleRevokeConsentDocument);
  // revokeConsent needs CUSTOMERS_WRITE (src/consents/schema.ts).
  const mayRevoke = allows(store, "CUSTOMERS_WRITE");
  const revokeOne = async (consent: { purpose: string }) =>
    setOutcome(
      outcomeOf(
        await revoke({ customerId: account.id, purpose: consent.purpose }, CONSENTS),
        () => `Revoked consent to ${consent.purpose}.`,
      ),
    );
  const customer = data?.customer;
  if (error) return <QueryError error={error} />;
  if (!customer) return fetching ? <p class="loading">Loading…</p> : null;
  const live = customer.consents.edges.map((e) => e.node);
  const history = customer.consentHistory;
  return (
    <>
      <h3>Current consents</h3>
      {!mayRevoke && <p class="hint">Your role in this identity store does not allow revoking consents (it needs CUSTOMERS_WRITE).</p>}
      <OutcomeLine outcome={outcome} />
      {live.length === 0 ? (
        <p>No live consent.</p>
      ) : (
        <ConsentTable
          consents={live}
          caption="Live consents, by purpose"
          revoke={{ allowed: mayRevoke && !revoking, onRevoke: revokeOne }}
        />
      )}
      <h3>Consent history</h3>
      <PurposeFilter
        purpose={purpose}
        onFilter={(next) => {
          setPurpose(next);
          trail.reset();
        }}
      />
      {history.edges.length === 0 ? (
        <p>No consent {purpose ? `for ${purpose} ` : ""}recorded.</p>
      ) : (
        <ConsentTable consents={history.edges.map((e) => e.node)} caption={`Every grant, newest first (${history.totalCount} in all)`} />
      )}
      <Pager trail={trail} pageInfo={history.pageInfo} label="Consent history pages" />
    </>
  );
}
