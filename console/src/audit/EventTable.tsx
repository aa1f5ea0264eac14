import type { ConsoleAuditEventFragment } from "../generated/graphql.ts";
import { Link } from "wouter-preact";
import { formatDate } from "../accounts/labels.tsx";
import { accountPath } from "../accounts/paths.ts";

/** Who acted, in words: the team member by name when a console session did it. */
export function actorOf(event: ConsoleAuditEventFragment): string {
  if (event.teamMember) return event.teamMember.name;
  const kind = event.actor.kind.charAt(0) + event.actor.kind.slice(1).toLowerCase();
  return event.actor.id ? `${kind} ${event.actor.id}` : kind;
}

interface Props {
  events: readonly ConsoleAuditEventFragment[];
  caption: string;
  /** Whether to show which account each event is about (not on an account's own page). */
  showAccount?: boolean;
}

/** Audit events as a table, in the order given; the details open per row. */
export function EventTable({ events, caption, showAccount = false }: Props) {
  return (
    <table class="events">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Event</th>
          <th scope="col">By</th>
          {showAccount && <th scope="col">Account</th>}
          <th scope="col">IP</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id} data-sequence={event.sequence}>
            <td>{formatDate(event.occurredAt)}</td>
            <td>
              <code>{event.type}</code>
            </td>
            <td>{actorOf(event)}</td>
            {showAccount && <td>{event.customerId ? <AccountLink id={event.customerId} /> : "—"}</td>}
            <td>{event.ip ?? "—"}</td>
            <td>
              {Object.keys(event.data).length > 0 ? (
                <details>
                  <summary>Data</summary>
                  <pre>{JSON.stringify(event.data, null, 2)}</pre>
                </details>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The account an event is about, opening its page; the id is long, so the link shows its end. */
function AccountLink({ id }: { id: string }) {
  return (
    <Link href={accountPath(id)} title={id} aria-label={`Account ${id}`}>
      <code>…{id.slice(-10)}</code>
    </Link>
  );
}
