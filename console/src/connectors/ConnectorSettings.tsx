import { formatDate } from "../accounts/labels.tsx";
import type { ConsoleConnectorFragment } from "../generated/graphql.ts";
import { rowIdOf } from "./paths.ts";

/** A connector's state and settings as a definition list (only those of its direction). */
export function ConnectorSettings({ connector: c }: { connector: ConsoleConnectorFragment }) {
  const rows: [string, string | number | null | undefined][] =
    c.direction === "OUTFLOW"
      ? [
          ["URL", c.url],
          ["Triggers", c.events.join(", ")],
          ["Rule", c.rule],
          ["Mapping", c.mapping],
          ["Before the rule", c.preEvent],
          ["Write-back", c.postEvent],
          ["Extra headers", c.headerNames.join(", ") || null],
          ["Attempts", c.maxAttempts],
          ["Retry interval", `${c.retryIntervalMs} ms (${c.backoff.toLowerCase()})`],
          ["Timeout", `${c.timeoutMs} ms`],
          ["Deactivate after", `${c.disableAfterFailures} failed attempts in a row`],
        ]
      : [
          ["Endpoint", `POST ${location.origin}/connectors/inflow/${rowIdOf(c.id)}`],
          ["Authentication", c.inflowAuth === "BEARER" ? "Bearer token (the secret)" : "Standard Webhooks signature"],
          ["Match by", c.matchBy],
          ["Mapping", c.mapping],
        ];
  return (
    <dl class="overview" aria-label="Settings">
      <dt>Failures in a row</dt>
      <dd>{c.consecutiveFailures}</dd>
      {c.deactivatedReason && (
        <>
          <dt>Deactivated because</dt>
          <dd>{c.deactivatedReason}</dd>
        </>
      )}
      {rows.map(([name, value]) => (
        <Setting key={name} name={name} value={value} />
      ))}
      <dt>Secret</dt>
      <dd>
        <code>{c.secretPreview ?? "—"}</code>
        {c.previousSecretExpiresAt && ` (the previous one is accepted until ${formatDate(c.previousSecretExpiresAt)})`}
      </dd>
      <dt>Created</dt>
      <dd>{formatDate(c.createdAt)}</dd>
      <dt>Changed</dt>
      <dd>{formatDate(c.updatedAt)}</dd>
    </dl>
  );
}

function Setting({ name, value }: { name: string; value: string | number | null | undefined }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value === null || value === undefined || value === "" ? "—" : <code>{value}</code>}</dd>
    </>
  );
}
