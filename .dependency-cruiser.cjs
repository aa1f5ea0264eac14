// Imports only go down. The layers of src/, lowest first; a module may import its own layer and
// the ones below, never one above. Domains are layered too, in the order they build on each
// other, so there are no folder cycles. `npm test` runs this (npm run lint:deps).
const FOUNDATION =
  "^src/((background|config|connections|csv|environment|errors|geoip|ids|json|logger|paths|service-context|tracing|validation)\\.ts$|generated/|db/|events/)";
const LAYERS = [
  ["foundation", FOUNDATION],
  ["passwords", "^src/passwords/"],
  ["signing-keys", "^src/signing-keys/"],
  ["pii", "^src/pii/"],
  ["security", "^src/security/"],
  ["graphql", "^src/graphql/(?!(schema|print-schema)\\.ts$)"],
  ["observability", "^src/observability/"],
  ["sessions", "^src/sessions/"],
  ["jobs", "^src/jobs/"],
  ["custom-fields", "^src/custom-fields/"],
  ["notifications", "^src/notifications/"],
  ["customers", "^src/customers/"],
  ["identities", "^src/identities/"],
  ["authenticators", "^src/authenticators/"],
  ["consents", "^src/consents/"],
  ["identity-verification", "^src/identity-verification/"],
  ["security-questions", "^src/security-questions/"],
  ["custom-objects", "^src/custom-objects/"],
  ["segments", "^src/segments/"],
  ["access", "^src/access/"],
  ["bulk", "^src/bulk/"],
  ["imports", "^src/imports/"],
  ["exports", "^src/exports/"],
  ["audit", "^src/audit/"],
  ["connectors", "^src/connectors/"],
  ["account-information", "^src/account-information/"],
  ["admin-auth", "^src/admin-auth/"],
  ["tenants", "^src/tenants/"],
  ["account", "^src/account/"],
  ["impersonation", "^src/impersonation/"],
  ["team", "^src/team/"],
  ["console", "^src/console/"],
  ["entry points", "^src/(graphql/(schema|print-schema)\\.ts|app\\.ts|main\\.ts|workers\\.ts|cli/)"],
];

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `${name}-imports-upward`,
  comment: `${name} may import only layers below it: ${
    LAYERS.slice(0, i)
      .map(([n]) => n)
      .join(", ") || "nothing in src/"
  }`,
  severity: "error",
  from: { path },
  to: {
    path: LAYERS.slice(i + 1)
      .map(([, p]) => `(${p})`)
      .join("|"),
  },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      comment: "Modules import each other in one direction only.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "graphql-only-in-schema-files",
      comment: "Only a domain's schema.ts / <capability>.schema.ts touches GraphQL; services stay GraphQL-free.",
      severity: "error",
      from: { path: "^src/(?!graphql/)[^/]+/", pathNot: "schema\\.ts$" },
      to: { path: "^src/graphql/(builder|context|common|nodes|policies|ids)\\.ts$|schema\\.ts$" },
    },
    {
      name: "cli-main-is-an-entry-point",
      comment: "cli/main.ts runs on import: nothing imports it.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/cli/main\\.ts$" },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
