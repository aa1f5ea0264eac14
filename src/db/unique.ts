import { Prisma } from "../generated/prisma/client.ts";

/**
 * Whether `error` is a unique-constraint violation on an index whose name or columns mention
 * `hint` (e.g. "normalized", "username"). Services pre-check conflicts for a friendly error; this
 * catches the race where two requests pass the pre-check at once.
 */
export function isUniqueViolation(error: unknown, hint: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") return false;
  return JSON.stringify(error.meta ?? {}).includes(hint);
}

/**
 * Whether `error` is any unique-index violation, from Prisma's own statements (P2002) or from raw
 * ones (SQLSTATE 23505 in the message): a writer that planned against rows a concurrent writer
 * then took plans again.
 */
export function violatesUniqueIndex(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  return /P2002|23505|unique constraint/i.test(text);
}
