import type { ConsoleConsentFragment } from "../../../generated/graphql.ts";
import { formatDate } from "../../labels.tsx";

interface Props {
  consents: readonly ConsoleConsentFragment[];
  caption: string;
  /** Live consents only: a Revoke button per row. */
  revoke?: { allowed: boolean; onRevoke: (consent: ConsoleConsentFragment) => void };
}

/** Consent grants in the order given, with how each began and, if it did, ended. */
export function ConsentTable({ consents, caption, revoke }: Props) {
  return (
    <table class="events consents">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Purpose</th>
          <th scope="col">Version</th>
          <th scope="col">Source</th>
          <th scope="col">Granted</th>
          {!revoke && <th scope="col">Revoked</th>}
          {!revoke && <th scope="col">Revoke source</th>}
          <th scope="col">{revoke ? "Action" : "State"}</th>
        </tr>
      </thead>
      <tbody>
        {consents.map((consent) => (
          <tr key={consent.id}>
            <td>
              <code>{consent.purpose}</code>
            </td>
            <td>{consent.version}</td>
            <td>{consent.source}</td>
            <td>{formatDate(consent.grantedAt)}</td>
            {!revoke && <td>{consent.revokedAt ? formatDate(consent.revokedAt) : "—"}</td>}
            {!revoke && <td>{consent.revokeSource ?? "—"}</td>}
            <td>
              {revoke ? (
                <button
                  type="button"
                  class="destructive"
                  aria-label={`Revoke consent to ${consent.purpose}`}
                  disabled={!revoke.allowed}
                  onClick={() => revoke.onRevoke(consent)}
                >
                  Revoke
                </button>
              ) : consent.active ? (
                <span class="label label-good">Live</span>
              ) : (
                <span class="label">Ended</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
