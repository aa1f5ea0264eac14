// `npm run cli -- <command>`: administration from a terminal. It calls the same services as the
// GraphQL API, on the database the environment names (DATABASE_URL, or PGlite in DATA_DIR).
import type { CliContext } from "./context.ts";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { protectPii } from "../pii/audit-seal.ts";
import { resolveMasterKey } from "../signing-keys/master-key.ts";
import { AppError } from "../errors.ts";
import { createLocalEventBus } from "../events/bus.ts";
import { tailAuditEvents } from "./audit-tail.ts";
import { runConnectorsCommand } from "./connectors.ts";
import { runCredentialCommand } from "./credentials.ts";
import { EXPORT_OPTIONS, exportOptions, runExportCommand } from "./export.ts";
import { runImportCommand } from "./import.ts";
import { runKeysCommand } from "./keys.ts";
import { runTenantCommand } from "./tenants.ts";

const USAGE = `Usage: npm run cli -- <command>

  tenant create <slug> [--name "Display name"]   create a tenant; prints its first admin key + secret once
  tenant list                                    list tenants
  credential create --tenant <slug> --name <name> --scopes CUSTOMERS_READ,AUDIT_READ
                                                 issue another admin credential; prints the secret once
  credential revoke --tenant <slug> <keyId>      revoke an admin credential
  keys rotate                                    make a new token-signing key; the old one verifies until its tokens expire
  keys list                                      list token-signing keys and their state
  keys rotate-data-keys                          re-wrap PII data keys under MASTER_KEY (after MASTER_KEY_PREVIOUS) and add a new version
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
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      tenant: { type: "string" },
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
      help: { type: "boolean", short: "h" },
      ...EXPORT_OPTIONS,
    },
  });
  const [group, command, ...args] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (group === "audit" && command === "tail") return runAuditTail(values);
  const config = loadConfig();
  const database = await openDatabase(config.database);
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

/** The string options commands read (flags become "true"). */
function commandOptions(values: Record<string, string | boolean | string[] | undefined>): Record<string, string | undefined> {
  const names = ["name", "tenant", "scopes", "format", "mode", "match", "mapping", "dry-run", "batch-size", "status"];
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
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
