import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium (apt-get install chromium; .ci/run installs it): Playwright's own download is unreachable here. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Why browser tests cannot run on this machine, or null when they can. Tests skip with this reason
 * locally; with REQUIRE_SERVICES (CI) they run anyway and fail at `openBrowser()`.
 */
export const browserMissing: string | null = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: apt-get install -y chromium (as root)`;

/** True when browser tests should be skipped: no browser, and not in CI. */
export const skipBrowserTests = browserMissing !== null && !process.env.REQUIRE_SERVICES;

// Without the background-networking flags Chromium calls outside hosts of its own (updates, sync,
// QUIC probes), which this machine refuses. Playwright gives each launch a fresh, temporary profile
// (its own --user-data-dir) and removes it on close.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export async function openBrowser(): Promise<Browser> {
  if (browserMissing) throw new Error(`Browser tests cannot run: ${browserMissing}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A page in a fresh context that records what it asks for and what goes wrong in it. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page (and its workers) requested, in order. */
  requests: string[];
  /** Requests to anything but this machine: refused (aborted) and listed here. */
  offsite: string[];
  /** console.error messages (CSP violations among them) and uncaught page errors. */
  consoleErrors: string[];
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** data: and blob: URLs never leave the page; http(s) and ws(s) only to this machine. */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === "data:" || protocol === "blob:" || protocol === "about:") return true;
  return LOCAL_HOSTS.has(hostname);
}

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext();
  const watched: WatchedPage = { page: await context.newPage(), context, requests: [], offsite: [], consoleErrors: [] };
  await context.route(
    (url) => !isLocal(url.href),
    (route) => {
      watched.offsite.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  await context.routeWebSocket(
    (url) => !isLocal(url.href),
    (socket) => {
      watched.offsite.push(socket.url());
      return socket.close();
    },
  );
  context.on("request", (request) => watched.requests.push(request.url()));
  watched.page.on("console", (message) => {
    if (message.type() === "error") watched.consoleErrors.push(message.text());
  });
  watched.page.on("pageerror", (error) => watched.consoleErrors.push(`uncaught: ${error.message}`));
  return watched;
}
