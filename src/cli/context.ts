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
