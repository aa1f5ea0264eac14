import { OWN_PROVIDERS } from "../customers/filter-labels.ts";
import { effectiveStatus } from "../customers/status.ts";
import { builder } from "../graphql/builder.ts";

// Account labels (seed 002 "Account statuses"): a quick glance at an account, each one the same
// rule as its filter condition (customers/filter-labels.ts) or status filter.

const LABELS = ["ENABLED", "DISABLED", "BLOCKED", "EMAIL_VERIFIED", "EMAIL_UNVERIFIED", "EXTERNAL_IDENTITY", "IDENTITY_VERIFIED"] as const;
type Label = (typeof LABELS)[number];

export const AccountLabel = builder.enumType("AccountLabel", {
  description: "At-a-glance account states. Exactly one of ENABLED, DISABLED, BLOCKED; the others may add to it.",
  values: {
    ENABLED: { description: "The customer may sign in (status ACTIVE, or a block that has run out)." },
    DISABLED: { description: "Disabled: the customer cannot sign in." },
    BLOCKED: { description: "Blocked (for now): the customer cannot sign in." },
    EMAIL_VERIFIED: { description: "The primary email is verified." },
    EMAIL_UNVERIFIED: { description: "The primary email is not verified yet (no email: neither label)." },
    EXTERNAL_IDENTITY: { description: "Has an identity at a social or enterprise provider (not password, email or phone)." },
    IDENTITY_VERIFIED: { description: "A manual identity verification that is not revoked exists." },
  } satisfies Record<Label, { description: string }>,
});

builder.prismaObjectFields("Customer", (t) => ({
  labels: t.field({
    type: [AccountLabel],
    description: "At-a-glance account states, in the order of the AccountLabel enum. Filter by them: status, emailVerified, …",
    select: {
      contacts: { where: { kind: "EMAIL", primary: true }, select: { verified: true } },
      identities: { where: { provider: { notIn: [...OWN_PROVIDERS] } }, take: 1, select: { id: true } },
      identityVerifications: { where: { revokedAt: null }, take: 1, select: { id: true } },
    },
    resolve: (c) => {
      const status = effectiveStatus(c);
      const primary = c.contacts[0];
      const has: Record<Label, boolean> = {
        ENABLED: status === "ACTIVE",
        DISABLED: status === "DISABLED",
        BLOCKED: status === "BLOCKED",
        EMAIL_VERIFIED: primary?.verified === true,
        EMAIL_UNVERIFIED: primary?.verified === false,
        EXTERNAL_IDENTITY: c.identities.length > 0,
        IDENTITY_VERIFIED: c.identityVerifications.length > 0,
      };
      return LABELS.filter((label) => has[label]);
    },
  }),
}));
