import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AUDIT_EVENT_TYPE_NAMES, AUDIT_EVENT_TYPES, eventTypesMatching } from "../src/events/types.ts";
import { AuditEventTypesDocument } from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";

// The catalog of audit event types (src/events/types.ts) against the source that records them: a
// type recorded anywhere in src/ and missing from the catalog fails here, so connectors can listen
// to every event and the GraphQL list stays complete as capabilities land.

const SOURCES = (readdirSync("src", { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts") && !f.startsWith("generated/") && f !== "events/types.ts")
  .map((f) => ({ file: `src/${f}`, text: readFileSync(`src/${f}`, "utf8") }));

const DOMAINS = new Set(AUDIT_EVENT_TYPE_NAMES.map((t) => t.split(".")[0]));

/** Dotted literals of a catalog domain that are not event types, and why. */
const NOT_EVENT_TYPES: Record<string, string> = {
  "connector.test": "the event type of testConnector's sample delivery, which has no audit event behind it",
  "segment.filter": "the path of a segment's filter in validation errors (src/exports/selection.ts)",
  "customer.email": "a notification template variable (src/notifications/templates.ts)",
  "application.name": "a notification template variable (src/notifications/templates.ts)",
};

/** The security kinds, read from their union type: `security.${event.kind}` records each. */
const securityKinds = [
  ...(/export type SecurityEventKind =([^;]+);/.exec(readFileSync("src/security/events.ts", "utf8"))?.[1] ?? "").matchAll(/"(\w+)"/g),
].map((m) => `security.${m[1]}`);

/** Every template that builds an event type, with the types it builds. A new template must be added here. */
const TEMPLATES: Record<string, string[]> = {
  "customer.${RULES[kind].noun}_added": ["customer.email_added", "customer.phone_added"],
  "customer.${RULES[kind].noun}_removed": ["customer.email_removed", "customer.phone_removed"],
  'customer.${RULES[kind].noun}_${verified ? "verified" : "unverified"}': [
    "customer.email_verified",
    "customer.email_unverified",
    "customer.phone_verified",
    "customer.phone_unverified",
  ],
  "customer.primary_${RULES[kind].noun}_changed": ["customer.primary_email_changed", "customer.primary_phone_changed"],
  "import.${status.toLowerCase()}": ["import.completed", "import.failed", "import.cancelled"],
  "security.${event.kind}": securityKinds,
};

/** A literal is an event type when its prefix is a catalog domain, or it is given as `type:` (a new domain). */
function recordedLiterals(): { type: string; file: string }[] {
  const found: { type: string; file: string }[] = [];
  for (const { file, text } of SOURCES) {
    for (const m of text.matchAll(/(["'`])([a-z][a-z_]*)\.([a-z][a-z_]*)\1/g)) {
      const before = text.slice(text.lastIndexOf("\n", m.index) + 1, m.index);
      if (/\bfield:\s*$/.test(before) || /^\s*(\/\/|\*)/.test(before)) continue; // validation paths, comments
      if (DOMAINS.has(m[2]) || /\btype:\s*[^,;]*$/.test(before)) found.push({ type: `${m[2]}.${m[3]}`, file });
    }
  }
  return found.filter((f) => !(f.type in NOT_EVENT_TYPES));
}

function recordedTemplates(): { template: string; file: string }[] {
  return SOURCES.flatMap(({ file, text }) =>
    [...text.matchAll(/`([a-z][a-z_]*)\.([^`]*\$\{[^`]*)`/g)]
      .filter((m) => DOMAINS.has(m[1]))
      .map((m) => ({ template: `${m[1]}.${m[2]}`, file })),
  );
}

describe("the audit event type catalog", () => {
  it("lists every event type a literal in src/ records", () => {
    const literals = recordedLiterals();
    expect(literals.length).toBeGreaterThan(40);
    const missing = literals.filter((l) => !(l.type in AUDIT_EVENT_TYPES)).map((l) => `${l.type} (${l.file})`);
    expect(missing, "add these to src/events/types.ts with a description").toEqual([]);
  });

  it("lists every event type a template in src/ builds, and knows every such template", () => {
    const templates = recordedTemplates();
    const unknown = templates.filter((t) => !(t.template in TEMPLATES)).map((t) => `${t.template} (${t.file})`);
    expect(unknown, "a new template building event types: add it with its expansions to TEMPLATES").toEqual([]);
    expect(securityKinds.length).toBeGreaterThanOrEqual(5);
    for (const [template, types] of Object.entries(TEMPLATES)) {
      const shape = new RegExp(`^${template.replace(/\./g, "\\.").replace(/\$\{[^}]*\}+/g, "[a-z_]+")}$`);
      for (const type of types) {
        expect(type, `an expansion of ${template}`).toMatch(shape);
        expect(AUDIT_EVENT_TYPES, `${type} (built by ${template})`).toHaveProperty([type]);
      }
    }
  });

  it("names types as domain.event and describes each in one line", () => {
    expect(AUDIT_EVENT_TYPE_NAMES.length).toBeGreaterThan(40);
    for (const [name, description] of Object.entries(AUDIT_EVENT_TYPES)) {
      expect(name).toMatch(/^[a-z][a-z_]*\.[a-z][a-z_]*$/);
      expect(description).toMatch(/^[A-Z].{10,200}\.\)?$/);
    }
  });

  it("expands patterns to the types they match: exact, prefix wildcard, everything, or nothing", () => {
    expect(eventTypesMatching("customer.created")).toEqual(["customer.created"]);
    expect(eventTypesMatching("session.*")).toEqual(AUDIT_EVENT_TYPE_NAMES.filter((t) => t.startsWith("session.")));
    expect(eventTypesMatching("session.*")).not.toContain("customer.signed_in");
    expect(eventTypesMatching("*")).toHaveLength(AUDIT_EVENT_TYPE_NAMES.length);
    expect(eventTypesMatching("customer.nothing")).toEqual([]);
    expect(eventTypesMatching("nothing.*")).toEqual([]);
  });
});

describe("auditEventTypes in GraphQL", () => {
  const gw = useTestGateway();

  it("lists the catalog, name and description, for any admin credential", async () => {
    const res = await gw.gql(AuditEventTypesDocument, {});
    expect(res.data!.auditEventTypes).toEqual(Object.entries(AUDIT_EVENT_TYPES).map(([name, description]) => ({ name, description })));
    const anonymous = await gw.gql(AuditEventTypesDocument, {}, "anonymous");
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
