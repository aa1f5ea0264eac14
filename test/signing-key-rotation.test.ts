import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { ACTIVATION_DELAY_MS, KEY_CACHE_MS, rotateSigningKey } from "../src/signing-keys/keys.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { testConfig } from "./helpers/gateway.ts";

// Two gateway nodes on one database, as in production behind a load balancer. Only Date is faked:
// the nodes' key caches and the rotation's switch time follow it, the database and timers do not.

const target = await createTestDatabase();
const nodes: App[] = [];
afterEach(() => void vi.useRealTimers());
afterAll(async () => {
  for (const node of nodes) await node.stop();
  await target.close();
});

const startNode = async () => {
  const node = await createApp({ config: testConfig({}), database: target.database });
  nodes.push(node);
  return node;
};
const jwksKids = async (node: App) =>
  ((await (await node.yoga.fetch("http://gateway.test/.well-known/jwks.json")).json()) as { keys: { kid: string }[] }).keys.map(
    (k) => k.kid,
  );
const signingKids = (...all: App[]) => Promise.all(all.map(async (node) => (await node.auth.keys.signer()).kid));

describe("token-signing keys across nodes", () => {
  it("publishes a key in the JWKS from the first start, before any sign-in, and nodes starting together make only one", async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const keys = await target.database.prisma.signingKey.findMany();
    expect(keys).toHaveLength(1);
    expect(await jwksKids(a)).toEqual([keys[0]!.kid]);
    expect(await jwksKids(b)).toEqual([keys[0]!.kid]);
  });

  it("after a rotation every node publishes the new key at once, all switch to it at the same moment, and the old one verifies until it retires", async () => {
    const [a, b] = nodes as [App, App];
    const [oldKid] = await signingKids(a);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const rotatedAt = Date.now();
    const { created } = await rotateSigningKey(target.database.prisma, a.auth.keys.masterKey!);
    const switchAt = rotatedAt + ACTIVATION_DELAY_MS;
    expect(created.activatesAt.getTime()).toBe(switchAt);

    // Within one cache period every node has re-read the keys: the new one is published, not yet used.
    vi.setSystemTime(rotatedAt + KEY_CACHE_MS + 1);
    expect(await signingKids(a, b)).toEqual([oldKid, oldKid]);
    expect(await jwksKids(a)).toEqual([created.kid, oldKid]);
    expect(await jwksKids(b)).toEqual([created.kid, oldKid]);

    // Just before the switch (both re-read here), and just after it: no re-read needed, both switch together.
    vi.setSystemTime(switchAt - 1000);
    expect(await signingKids(a, b)).toEqual([oldKid, oldKid]);
    vi.setSystemTime(switchAt);
    expect(await signingKids(a, b)).toEqual([created.kid, created.kid]);
    expect(await a.auth.keys.verificationKey(oldKid)).not.toBeNull();
    expect(await b.auth.keys.verificationKey(oldKid)).not.toBeNull();

    // Once the old key's last token has expired (plus a minute for clocks), it is gone.
    vi.setSystemTime(switchAt + (testConfig({}).auth.accessTokenTtlSeconds + 61) * 1000 + KEY_CACHE_MS);
    expect(await b.auth.keys.verificationKey(oldKid)).toBeNull();
    expect(await jwksKids(a)).toEqual([created.kid]);
  });
});
