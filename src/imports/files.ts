import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { realpath, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ImportLimits } from "../config.ts";
import { ValidationError } from "../errors.ts";
import type { ImportSource } from "./service.ts";

// Where an import's file comes from when it is started over GraphQL: a path on the server, only
// inside IMPORT_DIR, or an upload, copied to a temporary file first — the job outlives the request
// that carried the upload, and the parsers read from a file.

const refuse = (field: string, message: string) => new ValidationError([{ field, message }]);

/**
 * A file inside `limits.dir`, by a path relative to it. Absolute paths, `..` and symbolic links
 * that lead outside the folder are refused (checked on the real path, after links are followed).
 */
export async function serverFile(limits: ImportLimits, path: string): Promise<ImportSource> {
  if (!limits.dir) throw refuse("input.path", "imports from server paths are disabled (set IMPORT_DIR)");
  const dir = await realpath(limits.dir);
  let real: string;
  try {
    real = await realpath(resolve(dir, path));
  } catch {
    throw refuse("input.path", "no such file in the import folder");
  }
  if (!real.startsWith(dir + sep)) throw refuse("input.path", "not inside the import folder");
  if (!(await stat(real)).isFile()) throw refuse("input.path", "not a file");
  return { path: real, name: basename(real), temporary: false };
}

/**
 * Copies an upload to a temporary file, at most `limits.maxUploadBytes` (VALIDATION_FAILED on
 * input.file beyond, and the partial copy is deleted). Cost: one pass over the bytes.
 */
export async function spoolUpload(limits: ImportLimits, file: File): Promise<ImportSource> {
  const path = join(tmpdir(), `import-${randomUUID()}`);
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limits.maxUploadBytes ? refuse("input.file", `larger than ${limits.maxUploadBytes} bytes`) : null, chunk);
    },
  });
  try {
    await pipeline(Readable.from(chunksOf(file)), cap, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await unlink(path).catch(() => undefined);
    throw error;
  }
  return { path, name: file.name || "upload", temporary: true };
}

/** The bytes of a File through its reader: yoga's File is @whatwg-node's, not Node's own web stream, so Readable.fromWeb refuses it. */
async function* chunksOf(file: File): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
