import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { DestinationStream, Logger };

/**
 * Keys whose values never reach a log line, wherever they sit one level deep: a belt on top of
 * lines that are built never to carry them (the request line has no headers and no variables).
 */
const SECRET_KEYS = ["authorization", "x-api-secret", "cookie", "password", "secret", "token", "accessToken", "refreshToken", "variables"];
const step = (key: string) => (/^[A-Za-z_]\w*$/.test(key) ? `.${key}` : `["${key}"]`);
const REDACT = SECRET_KEYS.flatMap((key) => [step(key).replace(/^\./, ""), `*${step(key)}`, `*.headers${step(key)}`]);

/**
 * The gateway's structured logger (pino: one JSON object a line). Security-relevant lines carry
 * `security: <event>`; none ever carries a secret, token or password. Without a `destination`
 * it writes to stdout: pretty-printed through pino-pretty when stdout is a terminal (a worker
 * thread, only then), JSON otherwise (what log collectors read).
 */
export function createLogger(level: "debug" | "info" | "warn" | "error" | "silent", destination?: DestinationStream): Logger {
  const options: LoggerOptions = { level, base: { service: "identity-gateway" }, redact: { paths: REDACT, censor: "[redacted]" } };
  if (destination) return pino(options, destination);
  if (process.stdout.isTTY && level !== "silent")
    return pino({ ...options, transport: { target: "pino-pretty", options: { singleLine: true, ignore: "service" } } });
  return pino(options);
}
