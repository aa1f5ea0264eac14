import { describe, expect, it } from "vitest";
import { ValidationError } from "../src/errors.ts";
import { formatForeignHash } from "../src/passwords/foreign-formats.ts";
import { hashAlgorithm, verifyForeignHash } from "../src/passwords/foreign-hashes.ts";
import { ChangePasswordDocument, SignInDocument } from "./generated/graphql.ts";
import { FOREIGN_VECTORS } from "./helpers/foreign-vectors.ts";
import { PASSWORD } from "./helpers/gateway.ts";
import { customerMaker } from "./helpers/customers.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

const gw = useTestGateway();
const customer = customerMaker(gw, "foreign");
const lastEvents = async (k: number) => (await auditTrail(gw.db, gw.tenants.A.id)).slice(-k);
const hashOf = async (id: string) => (await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(id) } })).passwordHash;
const signIn = (identifier: string, password: string) => gw.gql(SignInDocument, { identifier, password }, { tenant: gw.tenants.A.slug });
const INVALID = { __typename: "AuthenticationError", code: "INVALID_CREDENTIALS", message: "The identifier or password is incorrect" };

/** A customer whose stored hash is `hash`, as an import writes it. */
async function importedCustomer(hash: string) {
  const c = await customer(null);
  await gw.db.customer.update({ where: { id: rowId(c.id) }, data: { passwordHash: hash } });
  return c;
}

describe("foreign hash verification", () => {
  it.each(FOREIGN_VECTORS)("$algorithm ($source): $hash", async ({ hash, password, algorithm }) => {
    expect(hashAlgorithm(hash)).toBe(algorithm);
    expect(await verifyForeignHash(hash, password)).toBe(true);
    expect(await verifyForeignHash(hash, `${password}!`)).toBe(false);
    expect(await verifyForeignHash(hash, password.slice(1))).toBe(false);
  });

  it("rejects unknown, malformed and out-of-limits strings as non-matching, without throwing", async () => {
    for (const hash of MALFORMED) {
      expect(hashAlgorithm(hash), hash).toBeNull();
      expect(await verifyForeignHash(hash, "correct horse battery staple"), hash).toBe(false);
    }
  });
});

// Each is close to a valid string: a wrong prefix, a bad field, or a cost above the limits.
const MALFORMED = [
  "",
  "plain text password",
  "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6C", // one character short
  "$2b$31$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG", // cost 31
  "$1$sHaLt123$0QLXhUu1AVrbnyfi.KdJ8", // short
  "$6$rounds=999999999$saltstringsaltst$vYfRg0cvt6jqN.cdxF22BORftytx0YPFkovksVubXuGbzxqnymO6iA22anPhq1CcF20s8mxa6wCNxLd21.zwA.",
  "$P$ZIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", // 2^37 iterations
  "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L", // short
  "pbkdf2_sha256$0$seasalt$3xmXbyk2QpiyNcnoBbzRPwEBsYPTbDlRdtmLyBvQltA=", // zero iterations
  "$scrypt$ln=30,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U", // 2^30
  "$scrypt$r=8,ln=10,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U", // order
  "$pbkdf2-sha256$i=1000,l=31$TmFDbC1zYWx0LTE2Ynl0ZQ$Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4", // l ≠ length
  "$pbkdf2-sha256$i=1000,l=32$TmFDbC1zYWx0LTE2Ynl0ZQ", // no hash
  "$pbkdf2-md4$i=1000,l=32$TmFDbC1zYWx0LTE2Ynl0ZQ$Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4", // unknown kind
  "$salted-sha1$pos=middle$TmFDbC1zYWx0LTE2Ynl0ZQ$OEWLC5jYG6ZFb9xGzibHIMMA/s0",
  "$salted-sha1$pos=prefix$TmFDbC1z*WxLTE2Ynl0ZQ$OEWLC5jYG6ZFb9xGzibHIMMA/s0", // not base64
  "$hmac-sha256$key=$KIfJL49bRjpUNfI+Q0213u91+sWeJUxRGPPAEqPDfLE", // empty key
  "$firebase-scrypt$rounds=8,mem=14,sep=Bw,key=AAAA$42xEC+ixf3L2lw$lSrfV15cpx95", // key/hash lengths differ
  "$argon2x$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A",
  "$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ", // no hash
  "$argon2i$v=19$m=4194304,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A", // 4 GiB
  "$constructor$a=b$c$d",
];

describe("formatForeignHash", () => {
  const SALT = Buffer.from("NaCl-salt-16byte");
  const b = (text: string) => Buffer.from(text, "base64");

  it("builds the documented strings an importer stores, from the parameters of the other system", () => {
    const built = [
      formatForeignHash("pbkdf2-sha256", {
        salt: SALT,
        hash: b("Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4"),
        params: { i: 1000, l: 32 },
      }),
      formatForeignHash("scrypt", { salt: SALT, hash: b("by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U"), params: { ln: 10, r: 8, p: 1 } }),
      formatForeignHash("salted-md5", { salt: SALT, hash: b("FDANJ23rJGWAsuY8XEPEPw=="), params: { pos: "suffix" } }),
      formatForeignHash("hmac-sha256", {
        hash: b("KIfJL49bRjpUNfI+Q0213u91+sWeJUxRGPPAEqPDfLE="),
        params: { key: Buffer.from("server-side hmac key") },
      }),
      formatForeignHash("firebase-scrypt", {
        salt: b("42xEC+ixf3L2lw=="),
        hash: b("lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="),
        params: {
          rounds: 8,
          mem: 14,
          sep: b("Bw=="),
          key: b("jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="),
        },
      }),
    ];
    const vectors = new Set(FOREIGN_VECTORS.map((v) => v.hash));
    for (const hash of built) expect(vectors.has(hash), hash).toBe(true);
  });

  it("refuses unknown kinds and out-of-range parameters with VALIDATION_FAILED on passwordHash", () => {
    const hash = Buffer.alloc(32, 1);
    for (const [kind, params] of [
      ["md4", { i: 1000, l: 32 }],
      ["pbkdf2-sha256", { i: 0, l: 32 }],
      ["pbkdf2-sha256", { i: 1000 }],
      ["scrypt", { ln: 40, r: 8, p: 1 }],
      ["salted-sha256", { pos: "both" }],
      ["salted-sha1", { pos: "prefix" }], // a SHA-1 digest is 20 bytes, not 32
    ] as const) {
      const build = () => formatForeignHash(kind, { salt: Buffer.from("salt"), hash, params });
      expect(build, `${kind} ${JSON.stringify(params)}`).toThrow(ValidationError);
      expect(() => build()).toThrow(/passwordHash/);
    }
  });
});

describe("signIn with a hash imported from another system", () => {
  it.each(FOREIGN_VECTORS)(
    "$algorithm ($source): refuses a wrong password like today, then accepts the right one and rehashes to argon2id",
    async (v) => {
      const c = await importedCustomer(v.hash);

      const wrong = await signIn(c.email, `${v.password}?`);
      expect(wrong.data!.signIn).toEqual(INVALID);
      expect(await hashOf(c.id)).toBe(v.hash);
      const [failed] = await lastEvents(1);
      expect(failed).toMatchObject({
        type: "customer.sign_in_failed",
        customerId: rowId(c.id),
        data: { reason: "wrong_password", failures: 1 },
      });

      await gw.signIn(c.email, v.password);
      const rehashed = await hashOf(c.id);
      expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      const [event, signedIn] = await lastEvents(2);
      expect(event).toMatchObject({ type: "customer.password_rehashed", customerId: rowId(c.id), data: { from: v.algorithm } });
      expect(JSON.stringify(event!.data)).not.toContain(v.hash.slice(-12));
      expect(signedIn).toMatchObject({ type: "customer.signed_in", data: { passwordRehashed: true } });

      await gw.signIn(c.email, v.password); // again, now against argon2id: no further rehash
      expect(await hashOf(c.id)).toBe(rehashed);
      expect((await lastEvents(1))[0]).toMatchObject({ type: "customer.signed_in", data: { passwordRehashed: false } });
      expect((await signIn(c.email, `${v.password}?`)).data!.signIn).toEqual(INVALID);
    },
  );

  it("answers a malformed or unknown stored hash with the normal wrong-credentials error and records wrong_password", async () => {
    for (const hash of MALFORMED) {
      const c = await importedCustomer(hash);
      expect((await signIn(c.email, "correct horse battery staple")).data!.signIn, hash).toEqual(INVALID);
      expect(await hashOf(c.id)).toBe(hash);
      const reason = hash ? "wrong_password" : "no_password"; // an empty column counts as no password, as today
      expect((await lastEvents(1))[0]).toMatchObject({ type: "customer.sign_in_failed", data: { reason } });
    }
  });
});

describe("changePassword with a hash imported from another system", () => {
  it("accepts the current password verified with the foreign algorithm and stores argon2id", async () => {
    const c = await customer();
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    // An import that updates an existing customer writes the other system's hash (md5-crypt of PASSWORD).
    await gw.db.customer.update({ where: { id: rowId(c.id) }, data: { passwordHash: "$1$sHaLt123$0QLXhUu1AVrbnyfi.KdJ81" } });
    const change = (currentPassword: string) =>
      gw.gql(ChangePasswordDocument, { currentPassword, newPassword: "a new long passphrase" }, { bearer: accessToken });
    expect((await change("not the password")).data!.changePassword).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect((await change(PASSWORD)).data!.changePassword).toMatchObject({ __typename: "ChangePasswordPayload" });
    expect(await hashOf(c.id)).toMatch(/^\$argon2id\$/);
  });
});
