import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import streamArray from "stream-json/streamers/stream-array.js";

// Streamed readers of an import file: each yields one record at a time and reads the file only as
// fast as the records are consumed (for await pulls), so memory holds one chunk (64 KiB) and the
// records of one batch, whatever the file's size. Bytes must be UTF-8 (a BOM is dropped): a
// TextDecoder in fatal mode turns the first invalid sequence into a file-level error.

export type ImportFormat = "CSV" | "JSON" | "NDJSON";

/** One record of the file with its 1-based position among the records (CSV: the header is not counted). */
export interface SourceRecord {
  row: number;
  record: Record<string, unknown>;
}

/** The file cannot be read on (bad encoding, broken syntax): the job fails with this message. */
export class FileError extends Error {}

/**
 * A record larger than this is refused as a whole file (the parser has to hold it to find its end).
 * Smaller records are parsed and then held to the per-row caps of rows.ts (1 MiB a record), so a
 * 10 MB cell is a row error, a 20 MB one a file error.
 */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** The format a file name implies, or null. */
export function formatOfName(name: string): ImportFormat | null {
  const ext = name.toLowerCase().split(".").pop();
  return ext === "csv" ? "CSV" : ext === "json" ? "JSON" : ext === "ndjson" || ext === "jsonl" ? "NDJSON" : null;
}

/** The file's text in chunks, checked as UTF-8. */
async function* utf8Chunks(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let offset = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      yield decoder.decode(chunk, { stream: true });
      offset += chunk.length;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (error) {
    if (error instanceof TypeError) throw new FileError(`the file is not valid UTF-8 (near byte ${offset}): save it as UTF-8`);
    throw error;
  }
}

export function readRecords(path: string, format: ImportFormat): AsyncGenerator<SourceRecord> {
  return format === "CSV" ? csvRecords(path) : format === "NDJSON" ? ndjsonRecords(path) : jsonArrayRecords(path);
}

/**
 * CSV with a header row. Records are taken off the parser as it emits them (on_record) rather
 * than from its readable side: a syntax error destroys a stream with what it still buffered, and
 * the rows before the error must still be imported.
 */
async function* csvRecords(path: string): AsyncGenerator<SourceRecord> {
  const ready: Record<string, unknown>[] = [];
  let failure: Error | null = null;
  const parser = parseCsv({
    columns: (header: string[]) => header.map((h) => h.trim()),
    max_record_size: MAX_RECORD_BYTES,
    skip_empty_lines: true,
    on_record: (record: Record<string, unknown>) => {
      ready.push(record);
      return null;
    },
  });
  parser.on("error", (error) => (failure = error));
  let row = 0;
  const drain = function* () {
    for (const record of ready.splice(0)) yield { row: ++row, record };
  };
  for await (const text of utf8Chunks(path)) {
    parser.write(text);
    yield* drain();
    if (failure) break;
  }
  if (!failure) await new Promise<void>((resolve) => parser.end(() => resolve()));
  await new Promise((resolve) => setImmediate(resolve));
  yield* drain();
  if (failure) throw new FileError(`malformed CSV after row ${row}: ${(failure as Error).message}`);
}

/** One JSON object per line; blank lines are skipped (but counted in the row number). */
async function* ndjsonRecords(path: string): AsyncGenerator<SourceRecord> {
  let rest = "";
  let row = 0;
  const parseLine = (line: string): SourceRecord | null => {
    row++;
    if (line.trim() === "") return null;
    try {
      return { row, record: JSON.parse(line) as Record<string, unknown> };
    } catch {
      return { row, record: { [NOT_JSON]: true } };
    }
  };
  for await (const text of utf8Chunks(path)) {
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    if (rest.length > MAX_RECORD_BYTES) throw new FileError(`line ${row + 1} is longer than ${MAX_RECORD_BYTES} bytes`);
    for (const line of lines) {
      const parsed = parseLine(line);
      if (parsed) yield parsed;
    }
  }
  const last = parseLine(rest);
  if (last) yield last;
}

/** Marks an NDJSON line that is not JSON: rows.ts reports it as that row's error. */
export const NOT_JSON = "\u0000notJson";

/** A top-level JSON array of objects, element by element (stream-json assembles one element at a time). */
async function* jsonArrayRecords(path: string): AsyncGenerator<SourceRecord> {
  const items = Readable.from(utf8Chunks(path)).pipe(streamArray.withParserAsStream());
  let row = 0;
  try {
    for await (const item of items as AsyncIterable<{ key: number; value: unknown }>) {
      row = item.key + 1;
      yield { row, record: item.value as Record<string, unknown> };
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(`malformed JSON after element ${row}: ${(error as Error).message}`);
  }
}
