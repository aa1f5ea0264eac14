import type {
  ConnectorDirection,
  ConnectorInput,
  ConnectorPatch,
  ConsoleConnectorFragment,
  InflowAuth,
  RetryBackoff,
} from "../generated/graphql.ts";

/** The connector form's fields as the inputs hold them (text for numbers and expressions). */
export interface ConnectorFormValues {
  name: string;
  direction: ConnectorDirection;
  url: string;
  /** Exact event types chosen from auditEventTypes. */
  events: string[];
  /** Wildcards such as customer.* or *, comma-separated. */
  wildcards: string;
  rule: string;
  mapping: string;
  preEvent: string;
  postEvent: string;
  maxAttempts: string;
  retryIntervalMs: string;
  backoff: RetryBackoff;
  timeoutMs: string;
  disableAfterFailures: string;
  inflowAuth: InflowAuth;
  matchBy: string;
}

/** A new connector's starting values: the gateway's defaults (ConnectorInput's descriptions). */
export const NEW_CONNECTOR: ConnectorFormValues = {
  name: "",
  direction: "OUTFLOW",
  url: "",
  events: [],
  wildcards: "",
  rule: "",
  mapping: "",
  preEvent: "",
  postEvent: "",
  maxAttempts: "5",
  retryIntervalMs: "30000",
  backoff: "FIXED",
  timeoutMs: "10000",
  disableAfterFailures: "100",
  inflowAuth: "SIGNATURE",
  matchBy: "email",
};

export function valuesOf(c: ConsoleConnectorFragment, knownTypes: ReadonlySet<string>): ConnectorFormValues {
  return {
    name: c.name,
    direction: c.direction,
    url: c.url ?? "",
    events: c.events.filter((e) => knownTypes.has(e)),
    wildcards: c.events.filter((e) => !knownTypes.has(e)).join(", "),
    rule: c.rule ?? "",
    mapping: c.mapping ?? "",
    preEvent: c.preEvent ?? "",
    postEvent: c.postEvent ?? "",
    maxAttempts: String(c.maxAttempts),
    retryIntervalMs: String(c.retryIntervalMs),
    backoff: c.backoff,
    timeoutMs: String(c.timeoutMs),
    disableAfterFailures: String(c.disableAfterFailures),
    inflowAuth: c.inflowAuth ?? "SIGNATURE",
    matchBy: c.matchBy ?? "email",
  };
}

// An empty expression is null: the patch clears it.
const text = (value: string) => value.trim() || null;
// A number the gateway checks itself (its ValidationError names the field); NaN is sent as null (its default).
const integer = (value: string) => (value.trim() === "" || Number.isNaN(Number(value)) ? null : Math.trunc(Number(value)));

/** The settings both inputs share, only those of the connector's direction. */
export function patchOf(v: ConnectorFormValues): ConnectorPatch {
  if (v.direction === "INFLOW")
    return { name: v.name.trim(), mapping: text(v.mapping), inflowAuth: v.inflowAuth, matchBy: text(v.matchBy) };
  const wildcards = v.wildcards
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);
  return {
    name: v.name.trim(),
    url: v.url.trim(),
    events: [...v.events, ...wildcards],
    rule: text(v.rule),
    mapping: text(v.mapping),
    preEvent: text(v.preEvent),
    postEvent: text(v.postEvent),
    maxAttempts: integer(v.maxAttempts),
    retryIntervalMs: integer(v.retryIntervalMs),
    backoff: v.backoff,
    timeoutMs: integer(v.timeoutMs),
    disableAfterFailures: integer(v.disableAfterFailures),
  };
}

/** A new connector's input: what is left empty is left out (the gateway's default). */
export const inputOf = (v: ConnectorFormValues): ConnectorInput => ({
  ...Object.fromEntries(Object.entries(patchOf(v)).filter(([, value]) => value !== null)),
  name: v.name.trim(),
  direction: v.direction,
});
