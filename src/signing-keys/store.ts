import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { Db } from "../db/database.ts";
import { unsealPrivateKey, newSigningKey, verifyingWhere } from "./keys.ts";

/** How long a gateway trusts its copy of the key list before reading it again. */
export const KEY_CACHE_MS = 60_000;
/** An unknown kid triggers a reload at most this often, so random kids cannot hammer the database. */
const MISS_RELOAD_MS = 2_000;

interface Loaded {
  at: number;
  /** kid → public key, for every key that may still verify. */
  verifying: Map<string, KeyObject>;
  jwks: JsonWebKey[];
  signer: { kid: string; key: KeyObject } | null;
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

  /** The key new tokens are signed with; creates the very first key when there is none. */
  async signer(): Promise<{ kid: string; key: KeyObject }> {
    let state = await this.state();
    if (!state.signer) {
      if (!this.masterKey) throw new Error("no master key: cannot sign");
      // First sign-in ever: make a key. Two nodes racing here each create one; both verify, and
      // the newest signs from the next reload on.
      await this.db.signingKey.create({ data: newSigningKey(this.masterKey) });
      state = await this.reload();
    }
    return state.signer!;
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
    const active = rows.find((r) => r.retiredAt === null);
    const signer = active && this.masterKey ? { kid: active.kid, key: unsealPrivateKey(this.masterKey, active) } : null;
    return { at: Date.now(), verifying, jwks: rows.map((r) => r.publicJwk as JsonWebKey), signer };
  }
}
