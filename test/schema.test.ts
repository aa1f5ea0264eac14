import { readFileSync } from "node:fs";
import { generate } from "@graphql-codegen/cli";
import { printSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../src/graphql/schema.ts";
import codegenConfig from "../codegen.ts";

const root = new URL("../", import.meta.url);

describe("generated files", () => {
  it("schema.graphql matches the schema built from the code (run `npm run schema:print`)", () => {
    const committed = readFileSync(new URL("schema.graphql", root), "utf8");
    expect(committed).toBe(`${printSchema(schema)}\n`);
  });

  it("test/generated and console/src/generated match their operations and schema.graphql (run `npm run codegen`)", async () => {
    const outputs = await generate({ ...codegenConfig, cwd: root.pathname, silent: true }, false);
    for (const output of outputs as { filename: string; content: string }[]) {
      const committed = readFileSync(new URL(output.filename, root), "utf8");
      expect(committed, output.filename).toBe(output.content);
    }
  });
});
