import type { CombinedError } from "@urql/core";

/** What an action came to, for the status line: done (with a message) or refused (with why). */
export type Outcome = { ok: true; message: string } | { ok: false; message: string };

/** A mutation's answer: a transport/GraphQL error (FORBIDDEN, …), a typed error of the result union, or its payload. */
export function outcomeOf<P>(
  result: { error?: CombinedError; data?: Record<string, unknown> | null },
  payload: (data: P) => string,
): Outcome {
  if (result.error) return { ok: false, message: result.error.message };
  const answer = Object.values(result.data ?? {})[0] as ({ __typename: string; message?: string } & P) | undefined;
  if (!answer) return { ok: false, message: "No answer from the gateway." };
  if (typeof answer.message === "string") return { ok: false, message: answer.message };
  return { ok: true, message: payload(answer) };
}
