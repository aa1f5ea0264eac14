import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { shouldRenderGraphiQL, type GraphiQLOptions, type Plugin } from "graphql-yoga";

/**
 * GraphiQL at GET /graphql for browsers (Accept: text/html), with every asset inlined by
 * @graphql-yoga/render-graphiql, so it works where public CDNs cannot be reached (yoga's own page
 * loads them from CDNs). PLAYGROUND=false leaves it out.
 *
 * The page is ~9 MB of JavaScript: it is built and gzipped once, on the first browser request
 * (~1 s of CPU, ~10 MB of memory held after), never at start-up or with the playground off.
 */
export function playgroundPlugin(graphqlEndpoint: string): Plugin {
  let page: Promise<Page> | undefined;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint || !shouldRenderGraphiQL(request)) return;
      page ??= buildPage(graphqlEndpoint);
      const { html, gzipped, headers } = await page;
      const gzipOk = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
      endResponse(
        new fetchAPI.Response(gzipOk ? gzipped : html, {
          status: 200,
          headers: { ...headers, ...(gzipOk ? { "content-encoding": "gzip" } : {}) },
        }),
      );
    },
  };
}

/**
 * The admin credential's header names, values left empty to fill in: the page is public, so never a
 * real credential, and not a placeholder value either — empty headers count as no credential, so
 * the page's first (anonymous) introspection is not a failed sign-in in the security log.
 * GraphiQL does not persist headers (shouldPersistHeaders: false).
 */
export const PLAYGROUND_HEADERS = { "X-API-Key": "", "X-API-Secret": "" };

const DEFAULT_QUERY = `# The identity gateway's GraphQL API.
# Admin requests: fill in the Headers tab below with your admin
# credential (X-API-Key and X-API-Secret: printed once at the first start, or made by
# \`npm run cli -- credential create\`), then press the run button.
query WhoAmI {
  currentTenant {
    slug
    name
  }
  currentAdmin {
    name
    scopes
  }
}
`;

const options = (endpoint: string): GraphiQLOptions => ({
  title: "Identity gateway",
  endpoint,
  defaultQuery: DEFAULT_QUERY,
  headers: JSON.stringify(PLAYGROUND_HEADERS, null, 2),
  shouldPersistHeaders: false,
  defaultEditorToolsVisibility: "headers",
  // Subscriptions over SSE: a fetch that carries the headers above, on the same path.
  subscriptionsProtocol: "SSE",
});

interface Page {
  html: string;
  gzipped: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

async function buildPage(endpoint: string): Promise<Page> {
  const { renderGraphiQL } = await import("@graphql-yoga/render-graphiql");
  const html = renderGraphiQL(options(endpoint));
  return { html, gzipped: new Uint8Array(await promisify(gzip)(html)), headers: pageHeaders(html) };
}

/**
 * The page's one inline script is allowed by its hash; everything else is same-origin or none.
 * Monaco's editor workers start from blob: URLs the script makes; React sets inline styles.
 */
function pageHeaders(html: string): Record<string, string> {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(([, text]) => text!);
  const hashes = scripts.map((text) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`);
  const policy = [
    "default-src 'none'",
    `script-src ${hashes.join(" ")}`,
    "worker-src blob:",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": policy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}
