import type { z } from "zod";
import { ValidationError } from "./errors.ts";

/** Parses service input with a zod schema; failures become a ValidationError naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ""): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      field: [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "input",
      message: issue.message,
    })),
  );
}
