// `npm run schema:print` rewrites schema.graphql from the code; test/schema.test.ts fails on drift.
import { writeFileSync } from "node:fs";
import { printSchema } from "graphql";
import { schema } from "./schema.ts";

const target = new URL("../../schema.graphql", import.meta.url);
writeFileSync(target, `${printSchema(schema)}\n`);
console.log(`wrote ${target.pathname}`);
