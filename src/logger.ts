import { pino, type Logger } from "pino";

export type { Logger };

/**
 * The gateway's structured logger (pino: one JSON object a line on stdout). Security-relevant
 * lines carry `security: <event>`; none ever carries a secret, token or password.
 */
export function createLogger(level: "debug" | "info" | "warn" | "error" | "silent"): Logger {
  return pino({ level, base: { service: "identity-gateway" } });
}
