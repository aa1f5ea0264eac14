import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents for the tests: every operation in test/operations/*.graphql becomes a
// TypedDocumentNode in test/generated/, checked against the committed schema.graphql.
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["test/operations/**/*.graphql"],
  generates: {
    "test/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false, gqlTagName: "graphql" },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", Date: "string", JSON: "unknown", JSONObject: "Record<string, unknown>", SafeInt: "number" },
      },
    },
  },
  ignoreNoDocuments: true,
};

export default config;
