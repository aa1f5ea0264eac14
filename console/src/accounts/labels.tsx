import type { AccountLabel } from "../generated/graphql.ts";

// The seed's account labels (Enabled/Disabled/Blocked, Verified/Unverified email, External
// identity), read from Customer.labels as the gateway works them out.

export function StatusLabel({ labels }: { labels: readonly AccountLabel[] }) {
  if (labels.includes("BLOCKED")) return <span class="label label-bad">Blocked</span>;
  if (labels.includes("DISABLED")) return <span class="label label-bad">Disabled</span>;
  return <span class="label label-good">Enabled</span>;
}

export function EmailLabel({ labels }: { labels: readonly AccountLabel[] }) {
  if (labels.includes("EMAIL_VERIFIED")) return <span class="label label-good">Verified</span>;
  if (labels.includes("EMAIL_UNVERIFIED")) return <span class="label label-warn">Unverified</span>;
  return null;
}

export function ExternalIdentityLabel({ labels }: { labels: readonly AccountLabel[] }) {
  return labels.includes("EXTERNAL_IDENTITY") ? <span class="label">External identity</span> : null;
}

export const fullName = (customer: { firstName?: string | null; lastName?: string | null }) =>
  [customer.firstName, customer.lastName].filter(Boolean).join(" ") || "(no name)";

export const formatDate = (iso: string) => new Date(iso).toLocaleString();
