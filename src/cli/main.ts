// `npm run cli -- <command>`: administration from a terminal. It calls the same services as the
// GraphQL API, on the database the environment names (DATABASE_URL, or PGlite in DATA_DIR).
import type { CliContext } from "./context.ts";
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { connectTo } from "../connections.ts";
import { openDatabase } from "../db/database.ts";
import { protectPii } from "../pii/audit-seal.ts";
import { resolveMasterKey } from "../signing-keys/master-key.ts";
import { AppError } from "../errors.ts";
import { createLocalEventBus } from "../events/bus.ts";
import { runAuditCommand } from "./audit.ts";
import { TailFailure, tailAuditEvents } from "./audit-tail.ts";
import { runConnectorsCommand } from "./connectors.ts";
import { runCredentialCommand } from "./credentials.ts";
import { EXPORT_OPTIONS, exportOptions, runExportCommand } from "./export.ts";
import { runImportCommand } from "./import.ts";
import { runKeysCommand } from "./keys.ts";
import { runPiiCommand } from "./pii.ts";
import { runTenantCommand } from "./tenants.ts";
import { runTeamCommand } from "./team.ts";

const USAGE = `Usage: npm run cli -- <command> [--data-dir <folder>]

  The database is DATABASE_URL's, or the embedded one in DATA_DIR (--data-dir), which must exist
  (only "tenant create" makes a new one).

  tenant create <slug> [--name "Display name"]   create a tenant; prints its first admin key + secret once
  tenant list                                    list tenants
  credential create --tenant <slug> --name <name> --scopes CUSTOMERS_READ,AUDIT_READ
                                                 issue another admin credential; prints the secret once
  credential list --tenant <slug>                the tenant's admin credentials (key id, name, scopes, created, last used, revoked)
  credential revoke --tenant <slug> <keyId>      revoke an admin credential
  keys rotate [--now]                            make a new token-signing key: published at once, signing on every node
                                                 6 minutes later (--now: at once, for a compromised key); the old one
                                                 verifies until its tokens expire
  keys list                                      list token-signing keys and their state
  keys rotate-data-keys                          re-wrap PII data keys under MASTER_KEY (after MASTER_KEY_PREVIOUS) and add a new version
  pii encrypt-existing [--tenant <slug>]         seal PII still stored in clear (written before MASTER_KEY, or fields marked PII later)
  export --tenant <slug> [--format csv|json|ndjson] [--segment <id>] [--filter '<CustomerFilter JSON>']
         [--created-after|--created-before|--updated-after|--updated-before <ISO time>] [--fields uid,email,…] [--out file]
                                                 export customers (to stdout without --out)
  import <file> --tenant <slug> [--format csv|json|ndjson] [--mode insert|upsert] [--match uid|email|<customFieldKey>]
         [--mapping mapping.json] [--dry-run] import customers from a file; row errors go to <file>.errors.csv
  connectors list --tenant <slug>                list the tenant's connectors
  connectors deliveries <connectorId> --tenant <slug> [--status pending|sending|delivered|failed|skipped]
                                                 a connector's newest 50 deliveries
  connectors replay <deliveryId> --tenant <slug> send a FAILED or DELIVERED delivery again (same webhook-id)
  audit tail [--type customer.*] [--customer <id>] [--after <cursor>] [--json]
                                                 follow the live audit stream of a running gateway
                                                 (GATEWAY_URL, GATEWAY_API_KEY, GATEWAY_API_SECRET)
  audit verify [--tenant <slug>]                  check the audit hash chains and their signed checkpoints; exit 1 when broken
  audit checkpoints --tenant <slug>              the tenant's signed audit checkpoints (JSON lines)
  team add --email <email> --name <name> [--tenant <slug> [--scopes …]]
                                                 add a console team member (all scopes in --tenant unless --scopes);
                                                 prints the generated password once
  team grant --email <email> --tenant <slug> [--scopes …]   give a member a store (or change their scopes there)
  team disable --email <email>                   no more sign-ins; ends their sessions, revokes their store credentials
  team reset-mfa --email <email>                 removes their authenticator app (a lost phone)
  team list                                      team members and their stores
`;

const OPTIONS = {
  name: { type: "string" },
  tenant: { type: "string" },
  email: { type: "string" },
  scopes: { type: "string" },
  type: { type: "string", multiple: true },
  customer: { type: "string" },
  after: { type: "string" },
  json: { type: "boolean", default: false },
  format: { type: "string" },
  mode: { type: "string" },
  match: { type: "string" },
  mapping: { type: "string" },
  "dry-run": { type: "boolean", default: false },
  "batch-size": { type: "string" },
  status: { type: "string" },
  "data-dir": { type: "string" },
  now: { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
  ...EXPORT_OPTIONS,
} as const;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: OPTIONS,
  });
  const [group, command, ...args] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (group === "audit" && command === "tail") return runAuditTail(values);
  // Every command reads the configuration (keys: DATA_DIR/master.key), so the flag becomes the variable.
  if (values["data-dir"]) process.env.DATA_DIR = values["data-dir"];
  const config = loadConfig();
  const missing = missingDataDir(config.database, group, command);
  if (missing) {
    console.error(missing);
    return 2;
  }
  const where = config.database;
  const database = await (where.kind === "postgres"
    ? connectTo("DATABASE_URL", where.url, () => openDatabase(where))
    : openDatabase(where));
  const master = resolveMasterKey(config).key;
  protectPii(database.prisma, master ? { current: master, previous: config.auth.masterKeyPrevious } : null);
  const ctx: CliContext = {
    database,
    events: createLocalEventBus(),
    args: group === "import" ? [command ?? "", ...args] : args,
    options: { ...commandOptions(values), ...exportOptions(values) },
    print: (l) => console.log(l),
  };
  try {
    if (group === "tenant") return await runTenantCommand(command, ctx);
    if (group === "credential") return await runCredentialCommand(command, ctx);
    if (group === "keys") return await runKeysCommand(command, ctx);
    if (group === "export") return await runExportCommand(ctx);
    if (group === "import") return await runImportCommand(ctx);
    if (group === "connectors") return await runConnectorsCommand(command, ctx);
    if (group === "audit") return await runAuditCommand(command, ctx);
    if (group === "pii") return await runPiiCommand(command, ctx);
    if (group === "team") return await runTeamCommand(command, ctx, config.auth.argon2);
    console.error(`Unknown command "${group}".\n\n${USAGE}`);
    return 2;
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

/** Why the embedded database cannot be used: its folder does not hold one (only "tenant create" makes one). */
function missingDataDir(where: Config["database"], group: string, command: string | undefined): string | null {
  if (where.kind !== "pglite" || (group === "tenant" && command === "create") || existsSync(join(where.dataDir, "PG_VERSION"))) return null;
  return (
    `No embedded database in ${resolve(where.dataDir)} (DATA_DIR). Point DATA_DIR (or --data-dir) at the gateway's data folder, ` +
    "set DATABASE_URL, or start the gateway once to create it."
  );
}

/** The string options commands read (flags become "true"). */
function commandOptions(values: Record<string, string | boolean | string[] | undefined>): Record<string, string | undefined> {
  const names = ["name", "email", "tenant", "scopes", "format", "mode", "match", "mapping", "dry-run", "batch-size", "status", "now"];
  return Object.fromEntries(names.map((n) => [n, values[n] === true ? "true" : typeof values[n] === "string" ? values[n] : undefined]));
}

async function runAuditTail(values: { type?: string[]; customer?: string; after?: string; json?: boolean }): Promise<number> {
  const keyId = process.env.GATEWAY_API_KEY;
  const secret = process.env.GATEWAY_API_SECRET;
  if (!keyId || !secret) {
    console.error(
      "Set GATEWAY_API_KEY and GATEWAY_API_SECRET (a credential with AUDIT_READ), and GATEWAY_URL if not http://localhost:4000/graphql.",
    );
    return 2;
  }
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort());
  process.once("SIGTERM", () => abort.abort());
  try {
    await tailAuditEvents(
      {
        url: process.env.GATEWAY_URL ?? "http://localhost:4000/graphql",
        keyId,
        secret,
        types: values.type,
        customerId: values.customer,
        after: values.after,
        json: values.json ?? false,
        print: (line) => console.log(line),
      },
      abort.signal,
    );
  } catch (error) {
    if (!(error instanceof TailFailure)) throw error;
    console.error(error.message);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Bad or unreachable configuration: one line, as the gateway prints it.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
