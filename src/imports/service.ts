import { unlink } from "node:fs/promises";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import type { Job, Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { ValidationError } from "../errors.ts";
import { parseInput } from "../validation.ts";
import { createJob, failAbandonedJobs, findJob, listJobs, requestCancel } from "../jobs/service.ts";
import { formatOfName, type ImportFormat } from "./sources.ts";
import { runImport, type ImportSettings } from "./runner.ts";

// Customer import: a file (CSV, JSON array, NDJSON) read as a stream and written in batches, run
// as a job (jobs/service.ts) in the background of the node that started it. This file checks the
// request and starts the job; runner.ts runs it.

const fieldKey = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const optionsInput = z
  .object({
    format: z.enum(["CSV", "JSON", "NDJSON"]).nullish(),
    mode: z.enum(["INSERT", "UPSERT"]).nullish(),
    matchBy: z.enum(["UID", "EMAIL", "FIELD"]).nullish(),
    matchField: z.string().regex(fieldKey, "a custom field key").nullish(),
    mapping: z
      .record(z.string().max(256), z.string().max(128).nullable())
      .refine((m) => Object.keys(m).length <= 500, "at most 500 columns")
      .nullish(),
    dryRun: z.boolean().nullish(),
    batchSize: z.number().int().min(1).max(10_000).nullish(),
  })
  .refine((o) => (o.matchBy === "FIELD") === Boolean(o.matchField), {
    message: "matchField names the custom field when (and only when) matchBy is FIELD",
    path: ["matchField"],
  });

export type ImportOptions = z.input<typeof optionsInput>;

/** Where the rows come from: a file on this node. `temporary` files (spooled uploads) are deleted when the job ends. */
export interface ImportSource {
  path: string;
  name: string;
  temporary: boolean;
}

/** The settings of a job from its request: explicit values, or the defaults (INSERT, UID, the format of the file name). */
export function importSettings(source: ImportSource, input: ImportOptions): ImportSettings {
  const o = parseInput(optionsInput, input, "input");
  const format: ImportFormat | null = o.format ?? formatOfName(source.name);
  if (!format) {
    const message = "give the format: the file name does not end in .csv, .json, .ndjson or .jsonl";
    throw new ValidationError([{ field: "input.format", message }]);
  }
  return {
    format,
    mode: o.mode ?? "INSERT",
    matchBy: o.matchBy ?? "UID",
    matchField: o.matchField ?? null,
    mapping: o.mapping ?? null,
    dryRun: o.dryRun ?? false,
    batchSize: o.batchSize ?? 2_000,
    fileName: source.name,
  };
}

const running = new Map<string, { db: Db; stop: AbortController; done: Promise<unknown> }>();

/**
 * Records a QUEUED import job and starts it in the background; returns the job at once. Invalid
 * options are a VALIDATION_FAILED error and record nothing. Cost: the abandoned-job sweep and one INSERT.
 */
export async function startImport(ctx: ServiceContext, source: ImportSource, input: ImportOptions): Promise<Job> {
  let settings: ImportSettings;
  try {
    settings = importSettings(source, input);
  } catch (error) {
    if (source.temporary) await unlink(source.path).catch(() => undefined);
    throw error;
  }
  await failAbandonedJobs(ctx.db);
  const job = await createJob(ctx, "IMPORT", settings as unknown as Prisma.InputJsonObject);
  const stop = new AbortController();
  const done = runImport(ctx, job, source, settings, { signal: stop.signal })
    .catch(() => undefined)
    .finally(() => running.delete(job.id));
  running.set(job.id, { db: ctx.db, stop, done });
  return job;
}

/**
 * Runs an import to its end in this process and returns the finished job: what the CLI does.
 * `onProgress` sees the job after every batch.
 */
export async function importNow(
  ctx: ServiceContext,
  source: ImportSource,
  input: ImportOptions,
  onProgress?: (job: Job) => void,
): Promise<Job> {
  const settings = importSettings(source, input);
  await failAbandonedJobs(ctx.db);
  const job = await createJob(ctx, "IMPORT", settings as unknown as Prisma.InputJsonObject);
  return runImport(ctx, job, source, settings, { onProgress });
}

/**
 * Stops the imports this node runs on `db` (between batches: they end FAILED, to be started
 * again) and waits for them. Called when the gateway stops.
 */
export async function stopImports(db: Db): Promise<void> {
  const mine = [...running.values()].filter((r) => r.db === db);
  for (const r of mine) r.stop.abort();
  await Promise.all(mine.map((r) => r.done));
}

/** Asks an import to stop after its current batch; returns the job, or null when it is not the tenant's. */
export async function cancelImport(ctx: ServiceContext, id: string): Promise<Job | null> {
  const job = await requestCancel(ctx, id, "IMPORT");
  return job?.kind === "IMPORT" ? job : null;
}

export async function findImportJob(ctx: ServiceContext, id: string, relations = {}): Promise<Job | null> {
  const job = await findJob(ctx, id, relations);
  return job?.kind === "IMPORT" ? job : null;
}

export const listImportJobs = (ctx: ServiceContext, page: Parameters<typeof listJobs>[2]) => listJobs(ctx, "IMPORT", page);
