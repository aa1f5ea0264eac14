import type { Plugin } from "graphql-yoga";
import { JWKS_MAX_AGE_SECONDS } from "./keys.ts";
import type { SigningKeyStore } from "./store.ts";

export const JWKS_PATH = "/.well-known/jwks.json";

/**
 * Serves GET /.well-known/jwks.json from the gateway's HTTP handler (the node server and
 * yoga.fetch alike): the public keys resource servers use to verify customer access tokens.
 * Cacheable for five minutes; a rotated-in key is listed before it signs (longer ago than that),
 * and rotated-out keys stay listed until their tokens have expired.
 */
export function jwksPlugin(keys: SigningKeyStore): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== JWKS_PATH) return;
      if (request.method !== "GET" && request.method !== "HEAD") {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: "GET, HEAD" } }));
        return;
      }
      const body = JSON.stringify(await keys.jwks());
      endResponse(
        new fetchAPI.Response(request.method === "HEAD" ? null : body, {
          status: 200,
          headers: { "content-type": "application/jwk-set+json", "cache-control": `public, max-age=${JWKS_MAX_AGE_SECONDS}` },
        }),
      );
    },
  };
}
