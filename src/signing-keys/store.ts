import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { Db } from "../db/database.ts";
import { ensureSigningKey, KEY_CACHE_MS, signsAt, unsealPrivateKey, verifyingWhere } from "./keys.ts";

/** An unknown kid triggers a reload at most this often, so random kids cannot hammer the database. */
const MISS_RELOAD_MS = 2_000;

interface Loaded {
  at: number;
  /** kid → public key, for every key that may still verify. */
  verifying: Map<string, KeyObject>;
  jwks: JsonWebKey[];
  /** Keys not retired at load time, newest activation first: the current signer and any rotated in for later. */
  signers: { kid: string; key: KeyObject; activatesAt: Date; retiredAt: Date | null }[];
}

/**
 * The token-signing keys as one gateway sees them: cached in memory and re-read from the database
 * every KEY_CACHE_MS (or when a token names a kid it has not seen), so keys rotated by the CLI or
 * another node are picked up without a restart. Costs one small SELECT per reload, nothing per
 * request otherwise.
 */
export class SigningKeyStore {
  private loaded: Promise<Loaded> | null = null;
  private lastMissReload = 0;

  constructor(
    private readonly db: Db,
    /** null: this gateway cannot sign (see master-key.ts); it still verifies. */
    readonly masterKey: Buffer | null,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  /**
   * The key new tokens are signed with now. Chosen by time from the cached list, so that every node
   * switches to a rotated key at its `activatesAt` without re-reading (see ACTIVATION_DELAY_MS).
   */
  async signer(): Promise<{ kid: string; key: KeyObject }> {
    const now = Date.now();
    // A clock behind every key's activation (a lagging node, or a test's frozen clock right after the
    // first key was made) still signs, with the key that activates first: nothing older could.
    const current = (state: Loaded) =>
      state.signers.find((k) => signsAt(k, now)) ?? state.signers.filter((k) => k.retiredAt === null || k.retiredAt.getTime() > now).at(-1);
    let found = current(await this.state());
    if (!found) {
      // A database whose keys all retired (or none was made at start-up): make one, as at start-up.
      await this.ensureKey();
      found = current(await this.reload());
    }
    if (!found) throw new Error(this.masterKey ? "no signing key could be made" : "no master key: cannot sign");
    return found;
  }

  /** Creates the first signing key if there is none (at start-up; needs the master key). */
  async ensureKey(): Promise<void> {
    if (!this.masterKey) return;
    await ensureSigningKey(this.db, this.masterKey);
    await this.reload();
  }

  /** The public key for a token's kid, or null when no usable key has that id. */
  async verificationKey(kid: string | undefined): Promise<KeyObject | null> {
    if (!kid) return null;
    const state = await this.state();
    const key = state.verifying.get(kid);
    if (key || Date.now() - this.lastMissReload < MISS_RELOAD_MS) return key ?? null;
    this.lastMissReload = Date.now();
    return (await this.reload()).verifying.get(kid) ?? null;
  }

  /** The JSON Web Key Set to publish: every key that may still verify a live token. */
  async jwks(): Promise<{ keys: JsonWebKey[] }> {
    return { keys: (await this.state()).jwks };
  }

  /** Forgets the cache (after a rotation in this process). */
  reload(): Promise<Loaded> {
    this.loaded = this.load();
    this.loaded.catch(() => (this.loaded = null));
    return this.loaded;
  }

  private state(): Promise<Loaded> {
    if (!this.loaded) return this.reload();
    return this.loaded.then((s) => (Date.now() - s.at > KEY_CACHE_MS ? this.reload() : s));
  }

  private async load(): Promise<Loaded> {
    const rows = await this.db.signingKey.findMany({ where: verifyingWhere(this.accessTokenTtlSeconds), orderBy: { createdAt: "desc" } });
    const verifying = new Map(rows.map((r) => [r.kid, createPublicKey({ key: r.publicJwk as JsonWebKey, format: "jwk" })]));
    const masterKey = this.masterKey;
    const now = Date.now();
    const signers = masterKey
      ? rows
          .filter((r) => r.retiredAt === null || r.retiredAt.getTime() > now)
          .sort((a, b) => b.activatesAt.getTime() - a.activatesAt.getTime())
          .map((r) => ({ kid: r.kid, key: unsealPrivateKey(masterKey, r), activatesAt: r.activatesAt, retiredAt: r.retiredAt }))
      : [];
    return { at: now, verifying, jwks: rows.map((r) => r.publicJwk as JsonWebKey), signers };
  }
}
