import type { ConsoleAccountSessionsQuery } from "../../../generated/graphql.ts";
import { formatDate } from "../../labels.tsx";

type Session = NonNullable<ConsoleAccountSessionsQuery["customer"]>["sessions"]["edges"][number]["node"];

interface Props {
  sessions: readonly Session[];
  total: number;
  canSignOut: boolean;
  onSignOut: (id: string) => void;
}

const deviceOf = (s: Session) => [s.device, s.browser, s.os].filter(Boolean).join(" · ") || "Unknown device";
const placeOf = (geo: Session["geo"]) => (geo ? [geo.city, geo.region, geo.country].filter(Boolean).join(", ") : "—");

/** Sessions, in the order given (newest first); live ones have a Sign out button. */
export function SessionTable({ sessions, total, canSignOut, onSignOut }: Props) {
  const located = sessions.some((s) => s.geo);
  return (
    <>
      <table class="events sessions">
        <caption>Sessions, newest first ({total} in all)</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">IP</th>
            <th scope="col">Location</th>
            <th scope="col">Created</th>
            <th scope="col">Last seen</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <SessionRow key={s.id} session={s} canSignOut={canSignOut} onSignOut={onSignOut} />
          ))}
        </tbody>
      </table>
      {/* The location data's licence (CC BY 4.0) asks for this credit wherever it is shown. */}
      {located && <p class="hint">IP Geolocation by DB-IP (db-ip.com), CC BY 4.0.</p>}
    </>
  );
}

function SessionRow({ session: s, canSignOut, onSignOut }: { session: Session } & Pick<Props, "canSignOut" | "onSignOut">) {
  return (
    <tr>
      <td>
        {deviceOf(s)}
        {s.impersonatorId && (
          <>
            {" "}
            <span class="label label-warn">Impersonation</span>
            {s.impersonationReason && <span class="hint"> {s.impersonationReason}</span>}
          </>
        )}
      </td>
      <td>{s.ip ?? "—"}</td>
      <td>{placeOf(s.geo)}</td>
      <td>{formatDate(s.createdAt)}</td>
      <td>{formatDate(s.lastSeenAt)}</td>
      <td>{formatDate(s.expiresAt)}</td>
      <td>
        {s.active ? <span class="label label-good">Live</span> : <span class="label">Ended</span>}
        {s.revokedAt && <span class="hint"> signed out {formatDate(s.revokedAt)}</span>}
      </td>
      <td>
        {s.active ? (
          <button
            type="button"
            aria-label={`Sign out the session from ${s.ip ?? "an unknown IP"} started ${formatDate(s.createdAt)}`}
            disabled={!canSignOut}
            onClick={() => onSignOut(s.id)}
          >
            Sign out
          </button>
        ) : (
          "—"
        )}
      </td>
    </tr>
  );
}
