import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "graphql-yoga";

// GET /console…: the admin console's built files (`npm run console:build` writes dist/console/).
// Hashed assets are cached for a year; every other path under /console is a client route and gets
// index.html (never cached, so a new build is picked up at the next load). /console/session is the
// team sign-in's, not this handler's.

export const CONSOLE_PATH = "/console";
const SESSION_PATH = `${CONSOLE_PATH}/session`;
const ASSETS_PATH = `${CONSOLE_PATH}/assets/`;

/** Where `vite build` writes (console/vite.config.ts). */
export const CONSOLE_BUILD_DIR = fileURLToPath(new URL("../../dist/console/", import.meta.url));

/** The built page has no inline script or style (Vite's modulepreload polyfill is off): `'self'` covers it. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** One file name Vite wrote into assets/: no separator, no `..`, nothing percent-encoded. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const isUnder = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export function consolePlugin(buildDir: string = CONSOLE_BUILD_DIR): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const path = url.pathname;
      if (!isUnder(path, CONSOLE_PATH) || isUnder(path, SESSION_PATH)) return;
      const respond = (status: number, body: Uint8Array<ArrayBuffer> | string | null, headers: Record<string, string> = {}) =>
        endResponse(
          new fetchAPI.Response(request.method === "HEAD" ? null : body, { status, headers: { ...SECURITY_HEADERS, ...headers } }),
        );
      if (request.method !== "GET" && request.method !== "HEAD") return respond(405, null, { allow: "GET, HEAD" });
      const file = await consoleFile(buildDir, path);
      if (file === "missing") return respond(404, "Not found", { "content-type": "text/plain; charset=utf-8" });
      if (file === "not built") {
        return respond(503, "The console is not built: run `npm run console:build`.", { "content-type": "text/plain; charset=utf-8" });
      }
      respond(200, file.body, { "content-type": file.contentType, "cache-control": file.cacheControl });
    },
  };
}

interface ConsoleFile {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  cacheControl: string;
}

async function consoleFile(buildDir: string, path: string): Promise<ConsoleFile | "missing" | "not built"> {
  if (path.startsWith(ASSETS_PATH)) {
    const name = path.slice(ASSETS_PATH.length);
    const body = ASSET_NAME.test(name) ? await readIfThere(join(buildDir, "assets", name)) : null;
    if (!body) return "missing";
    const contentType = CONTENT_TYPES[extname(name)] ?? "application/octet-stream";
    return { body, contentType, cacheControl: "public, max-age=31536000, immutable" };
  }
  const body = await readIfThere(join(buildDir, "index.html"));
  if (!body) return "not built";
  return { body, contentType: "text/html; charset=utf-8", cacheControl: "no-cache" };
}

const readIfThere = (file: string): Promise<Uint8Array<ArrayBuffer> | null> =>
  readFile(file).then(
    (bytes) => new Uint8Array(bytes),
    () => null,
  );
