import { afterAll, beforeAll } from "vitest";
import { createTestGateway, type TestGateway, type TestGatewayOptions } from "./gateway.ts";

export interface SuiteOptions extends TestGatewayOptions {
  /** Also start a real HTTP server (for sockets, SSE and the CLI); its URL is `gw.url`. */
  listen?: boolean;
}

export interface SuiteGateway extends TestGateway {
  /** The GraphQL URL of the real HTTP server (only with `listen: true`). */
  readonly url: string;
}

/**
 * The suite header every test file shares: a gateway on a fresh database, created before the
 * tests of the enclosing file or `describe` block and closed after them. Call it at the top of
 * the file or block; the returned handle reaches the gateway once `beforeAll` has run, so more
 * `beforeAll` hooks registered after this call can already use it.
 */
export function useTestGateway(options: SuiteOptions = {}): SuiteGateway {
  const { listen, ...gatewayOptions } = options;
  let gateway: TestGateway | undefined;
  let url: string | undefined;
  beforeAll(async () => {
    gateway = await createTestGateway(gatewayOptions);
    if (listen) url = await gateway.listen();
  });
  afterAll(() => gateway?.close());
  return new Proxy({} as SuiteGateway, {
    get(_, key) {
      if (!gateway) throw new Error(`the test gateway is used before its beforeAll ran (reading ${String(key)})`);
      if (key === "url") {
        if (!url) throw new Error("useTestGateway({ listen: true }) starts the HTTP server that gw.url names");
        return url;
      }
      return Reflect.get(gateway, key);
    },
  });
}
