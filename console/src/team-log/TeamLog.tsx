import { useCallback, useState } from "preact/hooks";
import { EventPages } from "../audit/EventPages.tsx";
import type { ConsoleAuditEventFragment } from "../generated/graphql.ts";
import type { ScreenProps } from "../layout/screens.ts";
import { allows } from "../session/store-choice.ts";

const ALL = "";

/**
 * The team audit log (the "Team log" screen): what team members did in this store through the
 * console, newest first, by everyone or by one member. Members to choose from: the signed-in one
 * and everyone the log has shown so far (the gateway lists team members to no one but the CLI).
 */
export function TeamLog({ store, session }: ScreenProps) {
  const [memberId, setMemberId] = useState(ALL);
  const [members, setMembers] = useState(() => new Map([[session.member.id, session.member.name]]));
  const remember = useCallback((events: ConsoleAuditEventFragment[]) => {
    setMembers((known) => {
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
