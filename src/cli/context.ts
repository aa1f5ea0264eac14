import type { Database } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";

/** What every CLI command gets: the open database, an event bus, its arguments and a printer. */
export interface CliContext {
  database: Database;
  events: EventBus;
  args: string[];
  options: Record<string, string | undefined>;
  print(line: string): void;
}

/** A row id, or the GraphQL global ID (base64 of "<typeName>:<row id>") the API shows for it. */
export function rowIdFrom(given: string, typeName: string): string {
  const decoded = Buffer.from(given, "base64").toString("utf8");
  return decoded.startsWith(`${typeName}:`) ? decoded.slice(typeName.length + 1) : given;
}
