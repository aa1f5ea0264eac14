import type { Db } from "../db/database.ts";
import { RateLimitedError } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import type { Connector } from "../generated/prisma/client.ts";
import type { InflowOutcome } from "../generated/prisma/enums.ts";
import { isUuid } from "../ids.ts";
import type { RateLimits } from "../security/rate-limits.ts";
import { hashToken, secretMatches } from "../security/tokens.ts";
import { serviceContext, type RequestInfo, type ServiceContext } from "../service-context.ts";
import { applyRecord, InflowRejection, mapRecord } from "./inflow-apply.ts";
import { findAppliedRequest, logInflowRequest, type FieldError } from "./inflow-log.ts";
import { liveSecrets, verifySignature } from "./secrets.ts";

// POST /connectors/inflow/<connector id>: what the route (inflow-route.ts) hands over and what it
// answers. The checks run cheapest first and each refusal says only what the sender can act on:
// unknown connector 404 · rate limit 429 · inactive 409 · not JSON 415 · body over 1 MiB 413 ·
// signature or bearer secret 401 ("signature invalid or expired" — never which part) · body not
// parseable 400 · mapping or record refused 422 · applied 200 · same webhook-id applied before 200
// DUPLICATE. Every request that names an existing inflow connector is logged (inflow_request),
// except those refused by the rate limit: logging a flood row by row is what the limit prevents
// (it records a rate_limited security event instead).

/** The largest body accepted (a customer record is a few KiB; the import caps one record at 1 MiB too). */
export const MAX_INFLOW_BODY_BYTES = 1024 * 1024;
/** The longest webhook-id kept for idempotency (the spec's ids are short: msg_<ksuid>, uuids). */
const MAX_WEBHOOK_ID_LENGTH = 256;

export interface InflowDeps {
  db: Db;
  events: EventBus;
  masterKey: Buffer | null;
  limits: RateLimits;
}

export interface InflowPost {
  headers: Headers;
  /** The body as text, or null when it is longer than `limit` bytes (read no further). */
  readBody: (limit: number) => Promise<string | null>;
  request: RequestInfo;
}

export interface InflowAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const refusal = (status: number, code: string, message: string, fields?: FieldError[]): InflowAnswer => ({
  status,
  body: { error: { code, message, ...(fields ? { fields } : {}) } },
});

/** The active-or-not inflow connector behind an endpoint; ids are global (the tenant comes from the row). */
const findInflowConnector = (db: Db, id: string) =>
  isUuid(id) ? db.connector.findFirst({ where: { id, direction: "INFLOW" } }) : Promise.resolve(null);

/**
 * Receives one post for `connectorId` and answers it. Cost: the connector read, the rate-limit
 * round trip, a signature check (HMAC-SHA256 per live secret), the JSONata mapping, the applying
 * transaction (applyRecord), one log INSERT for anything not applied.
 */
export async function receiveInflow(deps: InflowDeps, connectorId: string, post: InflowPost): Promise<InflowAnswer> {
  const started = Date.now();
  const connector = await findInflowConnector(deps.db, connectorId);
  if (!connector) return refusal(404, "CONNECTOR_NOT_FOUND", "no inflow connector at this address");
  const ctx = serviceContext(deps, connector.tenantId, { kind: "CONNECTOR", id: connector.id }, post.request);
  try {
    await deps.limits.take(ctx, "inflow", { inflowPerConnector: connector.id });
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    return { ...refusal(429, "RATE_LIMITED", error.message), headers: { "retry-after": String(error.retryAfter) } };
  }
  const webhookId = post.headers.get("webhook-id");
  const log = async (outcome: InflowOutcome, answer: InflowAnswer, result: { customerId?: string | null; created?: boolean } = {}) => {
    const error = (answer.body.error as { message?: string } | undefined)?.message ?? null;
    const fieldErrors = (answer.body.error as { fields?: FieldError[] } | undefined)?.fields ?? null;
    const entry = { tenantId: ctx.tenantId, connectorId: connector.id, webhookId: webhookId?.slice(0, MAX_WEBHOOK_ID_LENGTH) ?? null };
    await logInflowRequest(deps.db, {
      ...entry,
      outcome,
      statusCode: answer.status,
      error,
      fieldErrors,
      ...result,
      durationMs: Date.now() - started,
    });
    return answer;
  };
  try {
    const checked = await checkRequest(deps, connector, post, webhookId);
    if ("status" in checked) return await log("REJECTED", checked);
    const previous = webhookId ? await findAppliedRequest(deps.db, connector.id, webhookId) : null;
    if (previous) return await log("DUPLICATE", ...duplicate(previous));
    return await apply(ctx, connector, checked.body, webhookId, log, started);
  } catch (error) {
    await log("REJECTED", refusal(500, "INTERNAL_SERVER_ERROR", "internal error"));
    throw error;
  }
}

/** Everything before the body is applied: state, media type, size, authentication, JSON. */
async function checkRequest(deps: InflowDeps, connector: Connector, post: InflowPost, webhookId: string | null) {
  if (!connector.active) return refusal(409, "CONNECTOR_INACTIVE", "the connector is inactive");
  if (!deps.masterKey) return refusal(503, "CONNECTORS_UNAVAILABLE", "the gateway has no master key to open connector secrets");
  const type = post.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") return refusal(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  const raw = await post.readBody(MAX_INFLOW_BODY_BYTES);
  if (raw === null) return refusal(413, "PAYLOAD_TOO_LARGE", `the body is larger than ${MAX_INFLOW_BODY_BYTES} bytes`);
  if (webhookId !== null && (webhookId.length === 0 || webhookId.length > MAX_WEBHOOK_ID_LENGTH)) {
    return refusal(400, "BAD_REQUEST", `webhook-id must be 1 to ${MAX_WEBHOOK_ID_LENGTH} characters`);
  }
  const secrets = liveSecrets(deps.masterKey, connector);
  if (!authenticated(connector, secrets, raw, post.headers)) return refusal(401, "UNAUTHENTICATED", "signature invalid or expired");
  try {
    return { body: JSON.parse(raw) as unknown };
  } catch {
    return refusal(400, "BAD_REQUEST", "the body is not valid JSON");
  }
}

/**
 * SIGNATURE: the Standard Webhooks headers, within the spec's 5-minute tolerance, signed by a live
 * secret (the previous one during its rotation overlap). BEARER: `Authorization: Bearer <secret>`,
 * compared in constant time (as hashes) with every live secret.
 */
function authenticated(connector: Connector, secrets: string[], raw: string, headers: Headers): boolean {
  if (connector.inflowAuth === "BEARER") {
    const given = /^Bearer (\S+)$/.exec(headers.get("authorization") ?? "")?.[1] ?? "";
    return secrets.map((secret) => secretMatches(given, hashToken(secret))).includes(true);
  }
  const signed = Object.fromEntries(["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, headers.get(h) ?? ""]));
  return verifySignature(secrets, raw, signed).ok;
}

/** The answer to a repeated webhook-id (the first request's result) and what its log row records. */
const duplicate = (previous: { id: string; customerId: string | null; created: boolean }) => {
  const { customerId, created } = previous;
  const answer = { status: 200, body: { outcome: "DUPLICATE", duplicate: true, customerId, created, appliedRequestId: previous.id } };
  return [answer, { customerId, created }] as const;
};

type Log = (
  outcome: InflowOutcome,
  answer: InflowAnswer,
  result?: { customerId?: string | null; created?: boolean },
) => Promise<InflowAnswer>;

/** Maps and applies the body; an APPLIED request's log row is written by applyRecord, in its transaction. */
async function apply(ctx: ServiceContext, connector: Connector, body: unknown, webhookId: string | null, log: Log, started: number) {
  try {
    const record = await mapRecord(connector, body);
    const claim = {
      tenantId: ctx.tenantId,
      connectorId: connector.id,
      webhookId,
      outcome: "APPLIED" as const,
      statusCode: 200,
      durationMs: 0,
    };
    const applied = await applyRecord(ctx, connector, record, claim, started);
    if ("duplicateOf" in applied) return await log("DUPLICATE", ...duplicate(applied.duplicateOf));
    const { customerId, created, changed, ignored } = applied;
    return { status: 200, body: { outcome: "APPLIED", customerId, created, changed, ...(ignored.length ? { ignored } : {}) } };
  } catch (error) {
    if (!(error instanceof InflowRejection)) throw error;
    return log("REJECTED", refusal(422, error.code, error.message, error.fields));
  }
}
