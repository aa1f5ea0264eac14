import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { returnsCustomer } from "../customers/schema.ts";
import { NotFoundError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { customerIdArg } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId } from "../graphql/ids.ts";
import { CUSTOMER_DATA } from "../graphql/policies.ts";
import { NotifyInput, notifyRequest } from "../notifications/applications.schema.ts";
import { removeAuthenticator, resetRecoveryCodes } from "./admin.ts";
import { listAuthenticators, type Authenticator, type AuthenticatorKind } from "./list.ts";
import { contactTextFor, isSealed } from "../customers/phones-at-rest.ts";

// Customer.authenticators (admins with CUSTOMERS_READ, and the customer as me.authenticators) and
// the admin mutations that remove one or revoke recovery codes. The customer's own enrollment is
// account/mfa.schema.ts.

const TYPE_NAMES: Record<AuthenticatorKind, string> = {
  PASSWORD: "PasswordAuthenticator",
  EMAIL: "EmailAuthenticator",
  PHONE: "PhoneAuthenticator",
  TOTP: "TotpAuthenticator",
  RECOVERY_CODES: "RecoveryCodesAuthenticator",
  EXTERNAL: "ExternalAuthenticator",
};

/** The global ID of an authenticator: its type name and its row id. */
export const authenticatorGlobalId = (a: { kind: AuthenticatorKind; id: string }) => encodeGlobalID(TYPE_NAMES[a.kind], a.id);

/** Kind and row id inside an authenticator's global ID; anything else is AUTHENTICATOR_NOT_FOUND. */
export function decodeAuthenticatorId(globalId: string): { kind: AuthenticatorKind; id: string } {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    const kind = (Object.keys(TYPE_NAMES) as AuthenticatorKind[]).find((k) => TYPE_NAMES[k] === typename);
    if (kind) return { kind, id };
  } catch {
    // malformed: not found, below
  }
  throw new NotFoundError("AUTHENTICATOR_NOT_FOUND");
}

export const AuthenticatorKindEnum = builder.enumType("AuthenticatorKind", { values: Object.keys(TYPE_NAMES) as AuthenticatorKind[] });

export const AuthenticatorInterface = builder.interfaceRef<Authenticator>("Authenticator").implement({
  description:
    "One way a customer proves who they are: a password, an email or phone for one-time codes, an authenticator app, recovery codes, an external identity.",
  fields: (t) => ({
    id: t.id({ description: "Pass to removeAuthenticator.", resolve: (a) => authenticatorGlobalId(a) }),
    kind: t.field({ type: AuthenticatorKindEnum, resolve: (a) => a.kind }),
    createdAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.createdAt }),
    lastUsedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.lastUsedAt }),
  }),
});

type Of<K extends AuthenticatorKind> = Extract<Authenticator, { kind: K }>;

function authenticatorType<K extends AuthenticatorKind>(kind: K, description: string) {
  return builder.objectRef<Of<K>>(TYPE_NAMES[kind]).implement({
    authScopes: CUSTOMER_DATA,
    description,
    interfaces: [AuthenticatorInterface],
    isTypeOf: (a) => (a as Authenticator).kind === kind,
  });
}

export const PasswordAuthenticatorRef = authenticatorType("PASSWORD", "The customer's password (never the hash).");
builder.objectFields(PasswordAuthenticatorRef, (t) => ({
  set: t.boolean({ description: "Whether the customer has a password.", resolve: (a) => a.set }),
  lastChangedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.lastChangedAt }),
}));

for (const [kind, field, help] of [
  ["EMAIL", "address", "An email of the customer's (their contacts): one-time codes and links can be sent there."],
  ["PHONE", "number", "A phone number of the customer's (their contacts, E.164): one-time codes can be sent there."],
] as const) {
  builder.objectFields(authenticatorType(kind, help), (t) => ({
    // A sealed phone's value is its ciphertext (customers/phones-at-rest.ts): opened for the field.
    [field]: t.string({
      resolve: (a: Of<"EMAIL" | "PHONE">, _args, ctx) => (isSealed(a.contact.normalized) ? contactTextFor(ctx, a.contact) : a.value),
    }),
    verified: t.boolean({ resolve: (a: Of<"EMAIL" | "PHONE">) => a.verified }),
    primary: t.boolean({ resolve: (a: Of<"EMAIL" | "PHONE">) => a.primary }),
  }));
}

export const TotpAuthenticatorRef = authenticatorType(
  "TOTP",
  "An authenticator app (TOTP, 6 digits, 30 s). The secret is never shown again after enrollTotp.",
);
builder.objectFields(TotpAuthenticatorRef, (t) => ({
  label: t.string({ resolve: (a) => a.label }),
  confirmed: t.boolean({
    description: "False until confirmTotp: only confirmed apps are asked for at sign-in.",
    resolve: (a) => a.confirmedAt !== null,
  }),
  confirmedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.confirmedAt }),
}));

builder.objectFields(authenticatorType("RECOVERY_CODES", "Single-use recovery codes (shown only when generated; stored hashed)."), (t) => ({
  remaining: t.int({ description: "Unused codes.", resolve: (a) => a.remaining }),
  total: t.int({ description: "Codes generated in the current set.", resolve: (a) => a.total }),
}));

builder.objectFields(
  authenticatorType("EXTERNAL", "An account at another provider linked to the customer (see Customer.identities)."),
  (t) => ({
    provider: t.string({ resolve: (a) => a.provider }),
    providerUserId: t.string({ resolve: (a) => a.providerUserId }),
  }),
);

builder.prismaObjectField("Customer", "authenticators", (t) =>
  t.field({
    type: [AuthenticatorInterface],
    description:
      "Every way the customer can prove who they are: password (set or not), emails and phones, authenticator apps, recovery codes, external identities. " +
      "Loaded with the customer's own query.",
    select: {
      passwordHash: true,
      passwordChangedAt: true,
      contacts: true,
      identities: { orderBy: [{ linkedAt: "asc" }, { id: "asc" }] },
      totpFactors: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      recoveryCodes: { select: { usedAt: true, createdAt: true } },
    },
    resolve: (c) => listAuthenticators(c),
  }),
);

builder.mutationFields((t) => ({
  removeAuthenticator: t.field({
    ...returnsCustomer,
    description:
      "Admin: removes one of the customer's authenticators by its id from Customer.authenticators — a lost authenticator app " +
      "(sign-in is single-factor again when the last one goes), an email or phone (as removeEmail/removePhone), an external identity " +
      "(as unlinkIdentity: never the last one), or the recovery codes. A password cannot be removed (INVALID_STATE). " +
      "notify: tell the customer through that application (not for external identities).",
    args: { ...customerIdArg, authenticatorId: t.arg.id({ required: true }), notify: t.arg({ type: NotifyInput }) },
    resolve: (_root, args, ctx) => {
      const customerId = customerLocalId(args.customerId);
      const { kind, id } = decodeAuthenticatorId(args.authenticatorId);
      return removeAuthenticator(adminService(ctx), customerId, kind, id, notifyRequest(args.notify));
    },
  }),
  resetRecoveryCodes: t.field({
    ...returnsCustomer,
    description:
      "Admin: revokes the customer's unused recovery codes. New ones are generated by the customer (regenerateMyRecoveryCodes) and never shown to staff.",
    args: { ...customerIdArg, notify: t.arg({ type: NotifyInput }) },
    resolve: (_root, args, ctx) => resetRecoveryCodes(adminService(ctx), customerLocalId(args.customerId), notifyRequest(args.notify)),
  }),
}));
