import type { VerificationMethod } from "../../../generated/graphql.ts";

export const METHOD_NAMES: Record<VerificationMethod, string> = {
  DOCUMENT_CHECK: "Document check",
  IN_PERSON: "In person",
  VIDEO_CALL: "Video call",
};
