import { GraphQLError } from "graphql";
import { maskError } from "graphql-yoga";
import { AppError, SlowConsumerError, ValidationError } from "../errors.ts";

/**
 * Yoga's error masking, except for our expected failures thrown outside a mutation's typed result
 * (queries have no result union): those keep their message and stable code.
 */
export function exposeExpectedErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (error instanceof GraphQLError && original instanceof AppError) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: {
        code: original.code,
        ...(original instanceof ValidationError ? { issues: original.issues } : {}),
        ...(original instanceof SlowConsumerError ? { resumeAfter: original.resumeAfter } : {}),
      },
    });
  }
  return maskError(error, message, isDev);
}
