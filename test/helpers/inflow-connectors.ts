import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { newSecret, sealSecret } from "../../src/connectors/secrets.ts";
import type { TestGateway } from "./gateway.ts";
import { globalId } from "./ids.ts";

// Inflow connectors for tests, inserted as rows (the connector admin API lives in
// src/connectors/service.ts), and posts to their endpoint as a real sender makes them: signed with
// the `standardwebhooks` library, or with a bearer secret.

export interface InflowConnectorOptions {
  tenant?: "A" | "B";
  auth?: "SIGNATURE" | "BEARER";
  mapping?: string | null;
  matchBy?: string | null;
  active?: boolean;
  direction?: "INFLOW" | "OUTFLOW";
}

export interface TestInflowConnector {
  id: string;
  /** Its Relay global ID (a `Connector`). */
  globalId: string;
  secret: string;
}

const masterKeyOf = (gw: TestGateway) => {
  const key = gw.app.auth.keys.masterKey;
  if (!key) throw new Error("the test gateway has no master key");
  return key;
};

export async function createInflowConnector(gw: TestGateway, o: InflowConnectorOptions = {}): Promise<TestInflowConnector> {
  const id = randomUUID();
  const secret = newSecret();
  await gw.db.connector.create({
    data: {
      id,
      tenantId: gw.tenants[o.tenant ?? "A"].id,
      direction: o.direction ?? "INFLOW",
      name: `inflow ${id.slice(0, 8)}`,
      active: o.active ?? true,
      inflowAuth: o.auth ?? "SIGNATURE",
      mapping: o.mapping ?? null,
      matchBy: o.matchBy ?? null,
      secretSealed: sealSecret(masterKeyOf(gw), id, secret),
    },
  });
  return { id, globalId: globalId("Connector", id), secret };
}

/** Rotates the connector's secret: the old one stays accepted until `previousUntil`. */
export async function rotateInflowSecret(
  gw: TestGateway,
  connector: TestInflowConnector,
  previousUntil: Date,
): Promise<TestInflowConnector> {
  const row = await gw.db.connector.findUniqueOrThrow({ where: { id: connector.id } });
  const secret = newSecret();
  await gw.db.connector.update({
    where: { id: connector.id },
    data: {
      secretSealed: sealSecret(masterKeyOf(gw), connector.id, secret),
      previousSecretSealed: row.secretSealed,
      previousSecretExpiresAt: previousUntil,
    },
  });
  return { ...connector, secret };
}

export interface Post {
  status: number;
  body: Record<string, unknown>;
}

/** The endpoint of a connector on the gateway listening at `graphqlUrl`. */
export const inflowUrl = (graphqlUrl: string, connectorId: string) => graphqlUrl.replace(/\/graphql$/, `/connectors/inflow/${connectorId}`);

/** Standard Webhooks headers for `body`, as a sender using the `standardwebhooks` library makes them. */
export function signedHeaders(secret: string, body: string, options: { webhookId?: string; at?: Date } = {}): Record<string, string> {
  const webhookId = options.webhookId ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(webhookId, at, body),
  };
}

/** How a post is sent: over the network (fetch), or in process to the gateway's handler (`gw.app.yoga.fetch`). */
export type Fetcher = (url: string, init: RequestInit) => Response | Promise<Response>;

/** POSTs `body` (text as is, anything else as JSON) with `headers` (content-type JSON unless given). */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}, fetcher: Fetcher = fetch): Promise<Post> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const response = await fetcher(url, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "crm-sync/1.0", ...headers },
    body: text,
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

/** A signed post of `body` to the connector (a fresh webhook-id unless given). */
export function postSigned(
  url: string,
  connector: { secret: string },
  body: unknown,
  options: { webhookId?: string; at?: Date; fetcher?: Fetcher } = {},
) {
  const text = JSON.stringify(body);
  return post(url, text, signedHeaders(connector.secret, text, options), options.fetcher);
}
