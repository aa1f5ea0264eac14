import { builder } from "../graphql/builder.ts";
import { customerIdArg } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId } from "../graphql/ids.ts";
import type { ContactKind } from "../generated/prisma/enums.ts";
import { addContact, removeContact, setContactVerified, setPrimaryContact } from "./contacts.ts";
import { returnsCustomer } from "./schema.ts";
import { NotifyInput, notifyRequest } from "../notifications/applications.schema.ts";

// Emails and phones: the same four admin mutations each (add, remove, set verified, set primary),
// generated from one definition per kind so the two can never drift apart.

const KINDS = {
  EMAIL: {
    name: "Email",
    arg: "email",
    value: "address",
    valueHelp: undefined,
    verifiedHelp: "Admins may vouch for an email; no verification flow runs.",
  },
  PHONE: { name: "Phone", arg: "phone", value: "number", valueHelp: "E.164, e.g. +14155550100.", verifiedHelp: undefined },
} as const;

function contactInput(kind: ContactKind) {
  const k = KINDS[kind];
  return builder.inputType(`${k.name}Input`, {
    fields: (t) => ({
      [k.value]: t.string({ required: true, description: k.valueHelp }),
      primary: t.boolean({ defaultValue: false }),
      verified: t.boolean({ defaultValue: false, description: k.verifiedHelp }),
    }),
  });
}

export const EmailInput = contactInput("EMAIL");
export const PhoneInput = contactInput("PHONE");

/** A contact input as the contacts service takes it (the GraphQL field is `address` or `number`). */
export const contactFromInput = (kind: ContactKind, input: object) => {
  const given = input as Record<string, unknown>;
  return {
    value: given[KINDS[kind].value] as string,
    primary: (given.primary as boolean) ?? false,
    verified: (given.verified as boolean) ?? false,
  };
};

function contactMutations(kind: ContactKind, input: typeof EmailInput) {
  const { name, arg } = KINDS[kind];
  // The argument is named after the kind (email / phone), so its key is only known here.
  const given = (args: object) => {
    const a = args as Record<string, unknown>;
    const notify = notifyRequest(a.notify as { application: string } | null | undefined);
    return { customerId: customerLocalId(a.customerId as string), value: a[arg], verified: a.verified as boolean, notify };
  };
  builder.mutationFields((t) => ({
    [`add${name}`]: t.field({
      ...returnsCustomer,
      args: { ...customerIdArg, [arg]: t.arg({ type: input, required: true }), notify: t.arg({ type: NotifyInput }) },
      resolve: (_root, args, ctx) => {
        const { customerId, value, notify } = given(args);
        return addContact(adminService(ctx), customerId, kind, contactFromInput(kind, value as object), notify);
      },
    }),
    [`remove${name}`]: t.field({
      ...returnsCustomer,
      args: { ...customerIdArg, [arg]: t.arg.string({ required: true }), notify: t.arg({ type: NotifyInput }) },
      resolve: (_root, args, ctx) => {
        const { customerId, value, notify } = given(args);
        return removeContact(adminService(ctx), customerId, kind, value as string, notify);
      },
    }),
    [`set${name}Verified`]: t.field({
      ...returnsCustomer,
      args: {
        ...customerIdArg,
        [arg]: t.arg.string({ required: true }),
        verified: t.arg.boolean({ required: true }),
      },
      resolve: (_root, args, ctx) => {
        const { customerId, value, verified } = given(args);
        return setContactVerified(adminService(ctx), customerId, kind, value as string, verified);
      },
    }),
    [`setPrimary${name}`]: t.field({
      ...returnsCustomer,
      args: { ...customerIdArg, [arg]: t.arg.string({ required: true }) },
      resolve: (_root, args, ctx) => {
        const { customerId, value } = given(args);
        return setPrimaryContact(adminService(ctx), customerId, kind, value as string);
      },
    }),
  }));
}

contactMutations("EMAIL", EmailInput);
contactMutations("PHONE", PhoneInput);
