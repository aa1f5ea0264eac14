import { existsSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_BUILD_DIR } from "../src/console/static.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";

// The admin console's files (src/console/static.ts) over real HTTP, from dist/console/ as
// `npm run console:build` writes it (`npm test` builds it first).

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A GET with the path sent exactly as written (fetch would resolve `..` before sending). */
function rawGet(origin: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(origin), { path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject).end();
  });
}

describe("admin console files", () => {
  let gateway: TestGateway;
  let origin: string;

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_BUILD_DIR, "index.html"))) throw new Error("dist/console is missing: run `npm run console:build`");
    gateway = await createTestGateway();
    origin = new URL(await gateway.listen()).origin;
  });
  afterAll(() => gateway?.close());

  const expectConsoleHeaders = (response: Response) => {
    expect(response.headers.get("content-security-policy")).toBe(CSP);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  };

  it.each(["/console", "/console/", "/console/accounts/abc"])("GET %s: the page, never cached, with the strict CSP", async (path) => {
    const response = await fetch(`${origin}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expectConsoleHeaders(response);
    const html = await response.text();
    expect(html).toContain('<div id="app">');
    // Nothing inline for the CSP to refuse: scripts and styles are files under /console/assets/.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  it("serves a hashed asset with its type and a year's cache", async () => {
    const script = readdirSync(join(CONSOLE_BUILD_DIR, "assets")).find((name) => name.endsWith(".js"))!;
    const response = await fetch(`${origin}/console/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expectConsoleHeaders(response);
    expect((await response.text()).length).toBeGreaterThan(1000);
  });

  it("an unknown asset is a 404, not the page", async () => {
    const response = await fetch(`${origin}/console/assets/nothing-here.js`);
    expect(response.status).toBe(404);
    expectConsoleHeaders(response);
  });

  it.each([
    "/console/assets/../../package.json",
    "/console/assets/..%2F..%2Fpackage.json",
    "/console/assets/%2e%2e/%2e%2e/package.json",
    "/console/assets/.%2e/.%2e/src/config.ts",
    "/console/..%2fpackage.json",
  ])("GET %s serves no file from outside the build", async (path) => {
    const { status, body } = await rawGet(origin, path);
    expect(status).not.toBe(500);
    expect(body).not.toContain("identity-gateway");
    expect(body).not.toContain("loadConfig");
  });

  it("refuses other methods", async () => {
    const response = await fetch(`${origin}/console/`, { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });

  it.each(["GET", "POST", "DELETE"])("%s /console/session is left to the team sign-in", async (method) => {
    const response = await fetch(`${origin}/console/session`, { method });
    expect(response.headers.get("content-type") ?? "").not.toContain("text/html");
    expect(response.headers.get("content-security-policy")).toBeNull();
  });
});

describe("CONSOLE=false", () => {
  let gateway: TestGateway;
  afterAll(() => gateway?.close());

  it("answers 404 under /console", async () => {
    gateway = await createTestGateway({ env: { CONSOLE: "false" } });
    const origin = new URL(await gateway.listen()).origin;
    for (const path of ["/console", "/console/", "/console/accounts/abc"]) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('<div id="app">');
    }
  });
});
