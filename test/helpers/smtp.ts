import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

// A real local SMTP server for the notification tests (smtp-server, nodemailer's own server
// package), reading each message with mailparser. `refuse(n)` answers the next n messages with a
// temporary failure (451), as a greylisting or overloaded server would.

export interface TestSmtp {
  /** smtp://127.0.0.1:<port> */
  url: string;
  messages: ParsedMail[];
  /** The envelope recipients of each message, in order. */
  envelopes: string[][];
  refuse(count: number): void;
  /** Resolves once `count` messages arrived (fails after `timeoutMs`). */
  received(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** `delayMs`: how long each message is held before the answer (a slow server, to kill a sender mid-send). */
export async function startSmtp(options: { delayMs?: number } = {}): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const envelopes: string[][] = [];
  let refusing = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (refusing > 0) {
          refusing--;
          const error = Object.assign(new Error("4.3.2 try again later"), { responseCode: 451 });
          return callback(error);
        }
        new Promise((r) => setTimeout(r, options.delayMs ?? 0))
          .then(() => simpleParser(Buffer.concat(chunks)))
          .then((mail) => {
            messages.push(mail);
            envelopes.push(session.envelope.rcptTo.map((r) => r.address));
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    envelopes,
    refuse: (count) => void (refusing = count),
    async received(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
