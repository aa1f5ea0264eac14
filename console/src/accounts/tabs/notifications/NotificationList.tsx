import { useQuery } from "@urql/preact";
import { useEffect, useRef } from "preact/hooks";
import { ConsoleAccountNotificationsDocument, type ConsoleAccountNotificationsQuery } from "../../../generated/graphql.ts";
import { dateOrDash } from "../dates.ts";
import { QueryError } from "../../../shared/OutcomeLine.tsx";

const SHOWN = 50;
/** While a message is still on its way, the list asks again this often (the worker sends on its own). */
const WHILE_SENDING_MS = 1500;

interface Props {
  customerId: string;
  /** A new value asks again (a message was just queued). */
  sent: number;
}

/** What was sent to the customer, newest first: status, channel, message, times and the last error. */
export function NotificationList({ customerId, sent }: Props) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: ConsoleAccountNotificationsDocument,
    variables: { id: customerId, first: SHOWN },
    requestPolicy: "network-only",
  });
  const seen = useRef(sent);
  useEffect(() => {
    if (sent === seen.current) return;
    seen.current = sent;
    reexecute({ requestPolicy: "network-only" });
  }, [sent, reexecute]);
  const connection = data?.customer?.notifications;
  const notifications = connection?.edges.map((edge) => edge.node) ?? [];
  const onTheWay = notifications.some((n) => n.status === "PENDING" || n.status === "SENDING");
  useEffect(() => {
    if (!onTheWay || fetching) return;
    const timer = setTimeout(() => reexecute({ requestPolicy: "network-only" }), WHILE_SENDING_MS);
    return () => clearTimeout(timer);
  }, [onTheWay, fetching, data, reexecute]);

  if (error) return <QueryError error={error} />;
  if (!connection) return fetching ? <p class="loading">Loading…</p> : null;
  if (notifications.length === 0) return <p>Nothing has been sent to this customer.</p>;
  return <NotificationTable notifications={notifications} totalCount={connection.totalCount} />;
}

type Notification = NonNullable<ConsoleAccountNotificationsQuery["customer"]>["notifications"]["edges"][number]["node"];

function NotificationTable({ notifications, totalCount }: { notifications: readonly Notification[]; totalCount: number }) {
  return (
    <table class="records notifications">
      <caption>
        Sent to the customer, newest first ({notifications.length} of {totalCount})
      </caption>
      <thead>
        <tr>
          <th scope="col">Queued</th>
          <th scope="col">Message</th>
          <th scope="col">Application</th>
          <th scope="col">To</th>
          <th scope="col">Status</th>
          <th scope="col">Channel</th>
          <th scope="col">Sent</th>
          <th scope="col">Attempts</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {notifications.map((n) => (
          <tr key={n.id} data-kind={n.kind}>
            <td>{dateOrDash(n.createdAt)}</td>
            <td>
              <code>{n.kind}</code> {n.subject}
            </td>
            <td>{n.application?.name ?? "(deleted)"}</td>
            <td>{n.recipient}</td>
            <td>{n.status}</td>
            <td>{n.channel ?? "—"}</td>
            <td>{n.nextAttemptAt && !n.sentAt ? `next attempt ${dateOrDash(n.nextAttemptAt)}` : dateOrDash(n.sentAt)}</td>
            <td>{n.attempts}</td>
            <td>{n.lastError ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
