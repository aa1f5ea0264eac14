import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAccountSessionsDocument, ConsoleDeleteSessionsDocument, ConsoleRevokeSessionDocument } from "../../../generated/graphql.ts";
import { allows } from "../../../session/store-choice.ts";
import { outcomeOf, type Outcome } from "../../outcome.ts";
import { OutcomeLine, QueryError } from "../../../shared/OutcomeLine.tsx";
import { Pager, useCursorTrail } from "../../../shared/Pager.tsx";
import type { TabProps } from "../registry.ts";
import { SessionTable } from "./SessionTable.tsx";

const PAGE_SIZE = 20;
const FILTERS = { live: true, ended: false, all: undefined } as const;
type Filter = keyof typeof FILTERS;

// The list is asked again after any answer that ends sessions: a session (revokeSession) or the
// count revokeAllSessions answers, whether this tab or the overview's "Delete sessions" sent it.
const SESSIONS = { additionalTypenames: ["Session", "RevokeAllSessionsPayload"] };

/** The account's sessions, newest first: live, ended or all; each live one can be signed out, or all at once. */
export function SessionsTab({ account, store }: TabProps) {
  const [filter, setFilter] = useState<Filter>("live");
  const trail = useCursorTrail();
  const [{ data, error, fetching }] = useQuery({
    query: ConsoleAccountSessionsDocument,
    variables: { id: account.id, active: FILTERS[filter], first: PAGE_SIZE, after: trail.after },
    context: SESSIONS,
  });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching: revoking }, revoke] = useMutation(ConsoleRevokeSessionDocument);
  // The overview's "Delete sessions" operation: the same revokeAllSessions, not a second copy of it.
  const [{ fetching: revokingAll }, revokeAll] = useMutation(ConsoleDeleteSessionsDocument);
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  const busy = revoking || revokingAll;
  const signOut = async (id: string) => setOutcome(outcomeOf(await revoke({ id }), () => "Signed out."));
  const signOutEverywhere = async () =>
    setOutcome(
      outcomeOf(await revokeAll({ customerId: account.id }), (p: { revokedCount: number }) => `Sessions signed out: ${p.revokedCount}.`),
    );
  const sessions = data?.customer?.sessions;
  return (
    <>
      <div class="toolbar">
        <SessionFilter
          filter={filter}
          onChange={(next) => {
            setFilter(next);
            trail.reset();
          }}
        />
        <button type="button" class="destructive" disabled={!mayWrite || busy} onClick={signOutEverywhere}>
          Sign out everywhere
        </button>
      </div>
      {!mayWrite && <p class="hint">Your role in this identity store does not allow signing sessions out (it needs CUSTOMERS_WRITE).</p>}
      <OutcomeLine outcome={outcome} />
      <QueryError error={error} />
      {!sessions && fetching && <p class="loading">Loading…</p>}
      {sessions && sessions.edges.length === 0 && <p>No {filter === "all" ? "" : `${filter} `}sessions.</p>}
      {sessions && sessions.edges.length > 0 && (
        <SessionTable
          sessions={sessions.edges.map((e) => e.node)}
          total={sessions.totalCount}
          canSignOut={mayWrite && !busy}
          onSignOut={signOut}
        />
      )}
      {sessions && <Pager trail={trail} pageInfo={sessions.pageInfo} label="Session pages" />}
    </>
  );
}

function SessionFilter({ filter, onChange }: { filter: Filter; onChange: (filter: Filter) => void }) {
  return (
    <label>
      Show
      <select value={filter} onChange={(e) => onChange(e.currentTarget.value as Filter)}>
        <option value="live">Live sessions</option>
        <option value="ended">Ended sessions</option>
        <option value="all">All sessions</option>
      </select>
    </label>
  );
}
