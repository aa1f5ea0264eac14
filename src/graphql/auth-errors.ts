import { createGraphQLError } from "graphql-yoga";

export const unauthenticated = (message = "Missing or invalid admin credentials") =>
  createGraphQLError(message, {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });

export const forbidden = (message = "The credential lacks the scope this field requires") =>
  createGraphQLError(message, { extensions: { code: "FORBIDDEN", http: { status: 403 } } });
