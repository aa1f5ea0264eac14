import { Prisma } from "../generated/prisma/client.ts";

// The account labels of the filter language (seed 002 "Account statuses"), kept apart from the
// other conditions: email verified, external identity, identity verified. Each is one EXISTS that
// an index serves: contact(customer_id …) through the contact key, identity(customer_id, linked_at),
// identity_verification(customer_id, verified_at). Customer.labels reads the same rules.

/** Identity providers that are ways to sign in with the gateway's own credentials; any other is a social or enterprise provider. */
export const OWN_PROVIDERS = ["password", "email", "phone"] as const;

export interface LabelFilter {
  /** true: the primary email is verified; false: there is a primary email and it is not verified. */
  emailVerified?: boolean | null;
  /** Has an identity at a social or enterprise provider (not password, email or phone). */
  hasExternalIdentity?: boolean | null;
  /** A manual identity verification that is not revoked. */
  identityVerified?: boolean | null;
}

/** The label conditions of one filter node on `customer c` (none given: an empty list). */
export function labelConditions(tenantId: string, f: LabelFilter): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  const tenant = (alias: string) =>
    Prisma.sql`${Prisma.raw(alias)}.tenant_id = ${tenantId}::uuid AND ${Prisma.raw(alias)}.customer_id = c.id`;
  if (f.emailVerified != null) {
    parts.push(
      Prisma.sql`EXISTS (SELECT 1 FROM contact k WHERE ${tenant("k")} AND k.kind = 'EMAIL' AND k."primary" AND k.verified = ${f.emailVerified})`,
    );
  }
  if (f.hasExternalIdentity != null) {
    const any = Prisma.sql`EXISTS (SELECT 1 FROM identity i WHERE ${tenant("i")} AND i.provider NOT IN (${Prisma.join([...OWN_PROVIDERS])}))`;
    parts.push(f.hasExternalIdentity ? any : Prisma.sql`NOT ${any}`);
  }
  if (f.identityVerified != null) {
    const any = Prisma.sql`EXISTS (SELECT 1 FROM identity_verification v WHERE ${tenant("v")} AND v.revoked_at IS NULL)`;
    parts.push(f.identityVerified ? any : Prisma.sql`NOT ${any}`);
  }
  return parts;
}
