import { useQuery } from "@urql/preact";
import { useCallback, useState } from "preact/hooks";
import { EventPages } from "../audit/EventPages.tsx";
import { ConsoleTeamMembersDocument, type ConsoleAuditEventFragment } from "../generated/graphql.ts";
import type { ScreenProps } from "../layout/screens.ts";
import { allows } from "../session/store-choice.ts";

const ALL = "";

/**
 * The team audit log (the "Team log" screen): what team members did in this store through the
 * console, newest first, by everyone or by one member. Members to choose from: those granted in
 * this store (teamMembers), and anyone else the log has shown (a member whose grant was taken away).
 */
export function TeamLog({ store, session }: ScreenProps) {
  const [memberId, setMemberId] = useState(ALL);
  const [{ data }] = useQuery({ query: ConsoleTeamMembersDocument, pause: !allows(store, "AUDIT_READ") });
  const [seen, setSeen] = useState(() => new Map([[session.member.id, session.member.name]]));
  const members = new Map([
    ...seen,
    ...(data?.teamMembers ?? []).map((m): [string, string] => [m.id, m.disabled ? `${m.name} (disabled)` : m.name]),
  ]);
  const remember = useCallback((events: ConsoleAuditEventFragment[]) => {
    setSeen((known) => {
      const added = events.flatMap((e) => (e.teamMember && !known.has(e.teamMember.id) ? [e.teamMember] : []));
      return added.length === 0 ? known : new Map([...known, ...added.map((m): [string, string] => [m.id, m.name])]);
    });
  }, []);
  if (!allows(store, "AUDIT_READ")) return <p>Reading the team log needs the AUDIT_READ scope in this store.</p>;
  const filter = memberId === ALL ? { teamActions: true } : { teamMemberId: memberId };
  return (
    <section aria-labelledby="team-log-title">
      <h1 id="team-log-title">Team log</h1>
      <div class="search">
        <label>
          Team member
          <select value={memberId} onChange={(e) => setMemberId(e.currentTarget.value)}>
            <option value={ALL}>Everyone</option>
            {[...members].map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <EventPages
        key={memberId}
        filter={filter}
        caption="Team actions, newest first"
        empty="No team member has acted in this store yet."
        showAccount
        onLoaded={remember}
      />
    </section>
  );
}
