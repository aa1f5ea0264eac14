import type { IncomingMessage } from "node:http";
import type { Plugin } from "graphql-yoga";
import { readLimited, requestInfo } from "../graphql/request.ts";
import type { Logger } from "../logger.ts";
import { receiveInflow, type InflowDeps } from "./inflow.ts";

// POST /connectors/inflow/<connector id>: a third party's post to an inflow connector, answered as
// JSON by receiveInflow (inflow.ts). Outside GraphQL: no admin credential (the connector's secret
// or signature authenticates), no GraphQL body limits (the body is capped here, at 1 MiB).

const INFLOW_PATH = /^\/connectors\/inflow\/([^/]+)\/?$/;

export interface InflowRouteDeps extends InflowDeps {
  trustProxy: boolean;
  logger: Logger;
}

export function inflowPlugin(deps: InflowRouteDeps): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      const match = INFLOW_PATH.exec(url.pathname);
      if (!match) return;
      if (request.method !== "POST") return endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: "POST" } }));
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      let answer;
      try {
        answer = await receiveInflow(deps, match[1]!, {
          headers: request.headers,
          readBody: (limit) => readLimited(request, limit),
          request: requestInfo(request, req, deps.trustProxy),
        });
      } catch (err) {
        deps.logger.error({ err }, "inflow request failed");
        answer = { status: 500, body: { error: { code: "INTERNAL_SERVER_ERROR", message: "internal error" } } };
      }
      const headers = { "content-type": "application/json", "cache-control": "no-store", ...answer.headers };
      endResponse(new fetchAPI.Response(JSON.stringify(answer.body), { status: answer.status, headers }));
    },
  };
}
