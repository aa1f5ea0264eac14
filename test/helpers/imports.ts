import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import {
  ImportJobDocument,
  StartCustomerImportDocument,
  type ImportJobQuery,
  type StartCustomerImportInput,
} from "../generated/graphql.ts";
import type { TestGateway } from "./gateway.ts";

/** A fresh folder for import files: the test gateway's IMPORT_DIR. */
export const importDir = () => mkdtempSync(join(tmpdir(), "imports-"));

export type FinishedJob = NonNullable<ImportJobQuery["importJob"]>;

/** Polls importJob until the job has finished; fails after ~20 s. */
export async function waitForJob(gw: TestGateway, id: string, as: "A" | "B" = "A"): Promise<FinishedJob> {
  for (let i = 0; i < 400; i++) {
    const job = (await gw.gql(ImportJobDocument, { id, errors: 100 }, as)).data?.importJob;
    if (job && job.status !== "QUEUED" && job.status !== "RUNNING") return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

/**
 * Writes `content` to `name` in `dir`, starts its import by path through the GraphQL API and
 * waits for the job to finish.
 */
export async function importFile(
  gw: TestGateway,
  dir: string,
  name: string,
  content: string | Buffer,
  input: Omit<StartCustomerImportInput, "path" | "file"> = {},
): Promise<FinishedJob> {
  writeFileSync(join(dir, name), content);
  const res = await gw.gql(StartCustomerImportDocument, { input: { path: name, ...input } });
  const started = res.data?.startCustomerImport;
  expect(started?.__typename, JSON.stringify(res)).toBe("StartCustomerImportPayload");
  if (started?.__typename !== "StartCustomerImportPayload") throw new Error("not started");
  return waitForJob(gw, started.job.id);
}

/** The rows of a CSV file: header first; cells are written as given (quote them yourself). */
export const csv = (...lines: string[]) => lines.join("\n") + "\n";

export const ndjson = (...records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";
