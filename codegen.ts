import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents, checked against the committed schema.graphql: every operation in
// test/operations/*.graphql becomes a TypedDocumentNode in test/generated/ (the tests'), every one
// in console/src/**/*.graphql one in console/src/generated/ (the admin console's).
const clientPreset = {
  preset: "client" as const,
  presetConfig: { fragmentMasking: false, gqlTagName: "graphql" },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTime: "string", Date: "string", JSON: "unknown", JSONObject: "Record<string, unknown>", SafeInt: "number" },
  },
};

const config: CodegenConfig = {
  schema: "schema.graphql",
  generates: {
    "test/generated/": { ...clientPreset, documents: ["test/operations/**/*.graphql"] },
    "console/src/generated/": { ...clientPreset, documents: ["console/src/**/*.graphql"] },
  },
  ignoreNoDocuments: true,
};

export default config;
