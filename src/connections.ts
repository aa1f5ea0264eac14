import { ConfigError } from "./config.ts";

/**
 * A server a variable names could not be reached at start-up: one line naming the variable and
 * where it points, never the password (the gateway and CLI print it and exit 2, as for ConfigError).
 */
export class ConnectionError extends ConfigError {
  constructor(variable: "DATABASE_URL" | "REDIS_URL", url: string, cause: unknown) {
    const password = safeUrl(url)?.password;
    const reason = String((cause as Error)?.message ?? cause).split("\n")[0]!;
    super(
      `${variable}: cannot connect to ${variable === "REDIS_URL" ? "Redis" : "PostgreSQL"} at ${whereTo(url)} (${password ? reason.replaceAll(decodeURIComponent(password), "***") : reason})`,
    );
  }
}

// Errors that mean "the server is not there or will not let us in", as opposed to a bug or a failed migration.
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH"]);
const REFUSED_SQLSTATE = /^(08|28|3D000|57P03)/;

/** Runs `open` (connecting to the server `url` names); failing to reach it throws a ConnectionError naming `variable`. */
export async function connectTo<T>(variable: "DATABASE_URL" | "REDIS_URL", url: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    const code = String((error as { code?: unknown })?.code ?? "");
    const unreachable = UNREACHABLE.has(code) || REFUSED_SQLSTATE.test(code) || (error as Error)?.name === "AggregateError";
    throw unreachable ? new ConnectionError(variable, url, error) : error;
  }
}

/** host:port/database of a connection URL, without user or password: safe to print. */
export function whereTo(url: string): string {
  const parsed = safeUrl(url);
  if (!parsed) return "(unparsable URL)";
  const port = parsed.port || (parsed.protocol.startsWith("redis") ? "6379" : "5432");
  return `${parsed.hostname}:${port}${parsed.pathname.length > 1 ? parsed.pathname : ""}`;
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
