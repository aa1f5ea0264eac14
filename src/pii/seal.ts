import { decrypt, encrypt } from "../signing-keys/encryption.ts";

// Which parts of an audit event's `data` are personal data, and how they are sealed.
//
// The rule: in an event about a customer, the value under any of PII_KEYS, at any depth, is
// replaced by `{"$sealed": <AES-256-GCM of its JSON>, "key": <customer key id>}` (the event id is
// the associated data, so a sealed value copied into another event does not open). That covers
// profile diffs (`changes.firstName` → its whole {from, to}), contact events (`email`, `phone`),
// `customer.created` (`emails`, `phones`), identities (`providerUserId`) and custom fields (the
// whole `customFields` value: any of them may be personal). Ids, uids, types, counts stay readable.

export const PII_KEYS: ReadonlySet<string> = new Set([
  "email",
  "emails",
  "phone",
  "phones",
  "primary_email",
  "primary_phone",
  "identifier",
  "username",
  "firstName",
  "middleName",
  "lastName",
  "nickname",
  "birthdate",
  "gender",
  "addresses",
  "company",
  "jobTitle",
  "customFields",
  "providerUserId",
]);

/** What a sealed value reads as once its customer's key is gone (erased). */
export const ERASED = "[erased]";

export interface Sealed {
  $sealed: string;
  key: string;
}

const isSealed = (value: unknown): value is Sealed =>
  typeof value === "object" && value !== null && typeof (value as Sealed).$sealed === "string" && typeof (value as Sealed).key === "string";

const sealAad = (eventId: string) => `audit-pii:${eventId}`;

/** True when `data` holds a non-null value under a PII key (so the event needs its customer's key). */
export function hasPii(data: unknown): boolean {
  if (Array.isArray(data)) return data.some(hasPii);
  if (typeof data !== "object" || data === null) return false;
  return Object.entries(data).some(([k, v]) => (PII_KEYS.has(k) && v !== null) || hasPii(v));
}

/** `data` with every PII value sealed under `key` (id `keyId`), bound to the event. */
export function sealPii(data: unknown, eventId: string, keyId: string, key: Buffer): unknown {
  if (Array.isArray(data)) return data.map((v) => sealPii(v, eventId, keyId, key));
  if (typeof data !== "object" || data === null) return data;
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [
      k,
      PII_KEYS.has(k) && v !== null
        ? { $sealed: encrypt(key, Buffer.from(JSON.stringify(v), "utf8"), sealAad(eventId)), key: keyId }
        : sealPii(v, eventId, keyId, key),
    ]),
  );
}

/** The customer key ids `data` was sealed with. */
export function sealedKeyIds(data: unknown, into = new Set<string>()): Set<string> {
  if (isSealed(data)) into.add(data.key);
  else if (Array.isArray(data)) data.forEach((v) => sealedKeyIds(v, into));
  else if (typeof data === "object" && data !== null) Object.values(data).forEach((v) => sealedKeyIds(v, into));
  return into;
}

/** `data` with every sealed value opened by its key from `keys`, or ERASED when the key is gone or does not open it. */
export function unsealPii(data: unknown, eventId: string, keys: ReadonlyMap<string, Buffer>): unknown {
  if (isSealed(data)) {
    const key = keys.get(data.key);
    if (!key) return ERASED;
    try {
      return JSON.parse(decrypt(key, data.$sealed, sealAad(eventId)).toString("utf8")) as unknown;
    } catch {
      return ERASED;
    }
  }
  if (Array.isArray(data)) return data.map((v) => unsealPii(v, eventId, keys));
  if (typeof data !== "object" || data === null) return data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, unsealPii(v, eventId, keys)]));
}
