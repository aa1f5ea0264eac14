import { z } from "zod";
import type { ConnectorSettings } from "../config.ts";
import { activeFieldDefinitions, FIELD_KEY } from "../custom-fields/definitions.ts";
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { eventTypesMatching } from "../events/types.ts";
import type { ConnectorDirection, InflowAuth, RetryBackoff } from "../generated/prisma/enums.ts";
import type { ServiceContext } from "../service-context.ts";
import { compileExpression, ExpressionError } from "./expressions.ts";
import { targetUrlProblem } from "./targets.ts";

// What an admin may configure on a connector, checked once for GraphQL and the CLI alike. Problems
// are reported under their input field (bounds first, then every URL, event, expression, header
// and match-key problem together); nothing is saved unless all pass.

export interface ConnectorFields {
  /** Required (optional here so a patch can leave it out). */
  name?: string | null;
  url?: string | null;
  events?: string[] | null;
  rule?: string | null;
  mapping?: string | null;
  preEvent?: string | null;
  postEvent?: string | null;
  headers?: Record<string, unknown> | null;
  retryIntervalMs?: number | null;
  maxAttempts?: number | null;
  backoff?: RetryBackoff | null;
  timeoutMs?: number | null;
  disableAfterFailures?: number | null;
  inflowAuth?: InflowAuth | null;
  matchBy?: string | null;
}

/** The stored configuration of a checked connector (what `diff` compares on update). */
export interface ConnectorColumns {
  name: string;
  url: string | null;
  events: string[];
  eventLike: string[];
  rule: string | null;
  mapping: string | null;
  preEvent: string | null;
  postEvent: string | null;
  headers: Record<string, string>;
  retryIntervalMs: number;
  maxAttempts: number;
  backoff: RetryBackoff;
  timeoutMs: number;
  disableAfterFailures: number;
  inflowAuth: InflowAuth;
  matchBy: string | null;
}

export const DEFAULT_POLICY = {
  retryIntervalMs: 30_000,
  maxAttempts: 5,
  backoff: "FIXED",
  timeoutMs: 10_000,
  disableAfterFailures: 100,
} as const;
const MAX_RETRY_INTERVAL_MS = 86_400_000;
const MAX_HEADERS = 20;
/** Set by the gateway (Standard Webhooks, the body) or by the connection itself: a connector cannot override them. */
const RESERVED_HEADERS =
  /^(host|content-length|content-type|connection|transfer-encoding|user-agent|keep-alive|te|trailer|upgrade|proxy-.*|webhook-.*)$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const EXPRESSIONS = ["rule", "mapping", "preEvent", "postEvent"] as const;
/** Fields that mean something for one direction only; giving one for the other is an error. */
const ONLY_FOR: Record<ConnectorDirection, (keyof ConnectorFields)[]> = {
  OUTFLOW: [
    "url",
    "events",
    "rule",
    "preEvent",
    "postEvent",
    "headers",
    "retryIntervalMs",
    "maxAttempts",
    "backoff",
    "timeoutMs",
    "disableAfterFailures",
  ],
  INFLOW: ["inflowAuth", "matchBy"],
};

const rules = (settings: Pick<ConnectorSettings, "minRetryIntervalMs">) =>
  z.object({
    name: z.string({ error: "give a name" }).trim().min(1, "give a name").max(100, "at most 100 characters"),
    url: z.string().nullish(),
    events: z.array(z.string().max(100, "at most 100 characters")).max(100, "at most 100 patterns").nullish(),
    rule: z.string().nullish(),
    mapping: z.string().nullish(),
    preEvent: z.string().nullish(),
    postEvent: z.string().nullish(),
    headers: z.record(z.string(), z.unknown()).nullish(),
    retryIntervalMs: z
      .number()
      .int()
      .min(settings.minRetryIntervalMs, `at least ${settings.minRetryIntervalMs} ms`)
      .max(MAX_RETRY_INTERVAL_MS, "at most one day")
      .nullish(),
    maxAttempts: z.number().int().min(1, "at least 1").max(20, "at most 20").nullish(),
    backoff: z.enum(["FIXED", "EXPONENTIAL"]).nullish(),
    timeoutMs: z.number().int().min(100, "at least 100 ms").max(30_000, "at most 30000 ms").nullish(),
    disableAfterFailures: z.number().int().min(1, "at least 1").max(10_000, "at most 10000").nullish(),
    inflowAuth: z.enum(["SIGNATURE", "BEARER"]).nullish(),
    matchBy: z.string().nullish(),
  });

/** `events` as the LIKE patterns the outbox insert matches on: `_` and `%` escaped, `*` → `%`. */
export const eventLike = (events: string[]) => events.map((e) => e.replace(/[\\_%]/g, (c) => `\\${c}`).replace(/\*/g, "%"));

/** Fields given that do not apply to `direction` (on create: the input; on update: the patch). */
function misplacedFields(direction: ConnectorDirection, given: Partial<ConnectorFields>, path: string): ValidationIssue[] {
  const other = direction === "OUTFLOW" ? "INFLOW" : "OUTFLOW";
  return ONLY_FOR[other]
    .filter((key) => given[key] != null)
    .map((key) => ({ field: `${path}.${key}`, message: `only for ${other} connectors` }));
}

/**
 * Checks a complete connector configuration of `direction` (`given`: the fields the caller set,
 * which must apply to that direction) and answers its columns with defaults filled in. Throws one
 * ValidationError listing the problems under `path` (e.g. `input.url`).
 * Cost: compiles up to four JSONata expressions (cached); one indexed read of the tenant's
 * custom-field definitions for an INFLOW connector matched by a custom field.
 */
export async function checkConnector(
  ctx: ServiceContext,
  settings: Pick<ConnectorSettings, "allowPrivateTargets" | "minRetryIntervalMs">,
  check: { direction: ConnectorDirection; fields: ConnectorFields; given: Partial<ConnectorFields>; path: string },
): Promise<ConnectorColumns> {
  const { direction, path } = check;
  const parsed = rules(settings).safeParse(check.fields);
  const issues = misplacedFields(direction, check.given, path);
  if (!parsed.success) {
    issues.push(...parsed.error.issues.map((i) => ({ field: [path, ...i.path.map(String)].join("."), message: i.message })));
    throw new ValidationError(issues);
  }
  const f = parsed.data;
  const at = (field: string) => `${path}.${field}`;
  const outflow = direction === "OUTFLOW";
  issues.push(...expressionIssues(f, at));
  // An INFLOW connector without a mapping takes posts already in the record format.
  if (outflow) issues.push(...outflowIssues(f, settings.allowPrivateTargets, at));
  const events = [...new Set(f.events ?? [])];
  const headers = headerIssues(f.headers ?? {}, at("headers"));
  issues.push(...headers.issues);
  const matchBy = outflow ? null : (f.matchBy ?? "email");
  if (!outflow) issues.push(...(await matchByIssues(ctx, matchBy!, at("matchBy"))));
  if (issues.length) throw new ValidationError(issues);
  return {
    name: f.name,
    url: outflow ? f.url! : null,
    events: outflow ? events : [],
    eventLike: outflow ? eventLike(events) : [],
    rule: f.rule ?? null,
    mapping: f.mapping ?? null,
    preEvent: f.preEvent ?? null,
    postEvent: f.postEvent ?? null,
    headers: headers.value,
    retryIntervalMs: f.retryIntervalMs ?? DEFAULT_POLICY.retryIntervalMs,
    maxAttempts: f.maxAttempts ?? DEFAULT_POLICY.maxAttempts,
    backoff: f.backoff ?? DEFAULT_POLICY.backoff,
    timeoutMs: f.timeoutMs ?? DEFAULT_POLICY.timeoutMs,
    disableAfterFailures: f.disableAfterFailures ?? DEFAULT_POLICY.disableAfterFailures,
    inflowAuth: f.inflowAuth ?? "SIGNATURE",
    matchBy,
  };
}

function expressionIssues(f: Pick<ConnectorFields, (typeof EXPRESSIONS)[number]>, at: (field: string) => string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const key of EXPRESSIONS) {
    const source = f[key];
    if (source == null) continue;
    try {
      compileExpression(source);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      issues.push({ field: at(key), message: `not a valid JSONata expression: ${error.message}` });
    }
  }
  return issues;
}

function outflowIssues(f: Pick<ConnectorFields, "url" | "events">, allowPrivateTargets: boolean, at: (field: string) => string) {
  const issues: ValidationIssue[] = [];
  const problem = f.url == null ? "an OUTFLOW connector needs a target URL" : targetUrlProblem(f.url, allowPrivateTargets);
  if (problem) issues.push({ field: at("url"), message: problem });
  if (!f.events?.length) issues.push({ field: at("events"), message: "give at least one event type (or a wildcard such as customer.*)" });
  f.events?.forEach((e, i) => {
    if (eventTypesMatching(e).length === 0)
      issues.push({ field: at(`events.${i}`), message: `${JSON.stringify(e)} matches no event type (see auditEventTypes)` });
  });
  return issues;
}

/** What node:http sends as a header value (RFC 9110 field-value; Latin-1 obs-text aside): anything else fails every attempt. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

function headerIssues(headers: Record<string, unknown>, path: string): { value: Record<string, string>; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) issues.push({ field: path, message: `at most ${MAX_HEADERS} headers` });
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const field = `${path}.${name}`;
    if (!HEADER_NAME.test(name)) issues.push({ field, message: "not an HTTP header name" });
    else if (RESERVED_HEADERS.test(name)) issues.push({ field, message: "set by the gateway or the connection: it cannot be overridden" });
    else if (seen.has(name.toLowerCase())) issues.push({ field, message: "given twice (header names are case-insensitive)" });
    if (typeof value !== "string" || !HEADER_VALUE.test(value) || value.length > 1000)
      issues.push({ field, message: "a header value is at most 1000 characters of visible ASCII, spaces and tabs, on one line" });
    seen.add(name.toLowerCase());
  }
  return { value: headers as Record<string, string>, issues };
}

async function matchByIssues(ctx: ServiceContext, matchBy: string, field: string): Promise<ValidationIssue[]> {
  if (matchBy === "uid" || matchBy === "email") return [];
  if (!FIELD_KEY.test(matchBy)) return [{ field, message: "uid, email or the key of a custom field" }];
  const definitions = await activeFieldDefinitions(ctx);
  if (definitions.size > 0 && !definitions.has(matchBy)) return [{ field, message: "no active custom field has this key" }];
  return [];
}
