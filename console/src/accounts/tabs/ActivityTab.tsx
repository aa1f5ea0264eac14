import { EventPages } from "../../audit/EventPages.tsx";
import { allows } from "../../session/store-choice.ts";
import type { TabProps } from "./registry.ts";

/** The account's activity log: its audit events, newest first, older ones a page at a time. */
export function ActivityTab({ account, store }: TabProps) {
  if (!allows(store, "AUDIT_READ")) return <p>Reading the activity log needs the AUDIT_READ scope in this store.</p>;
  return (
    <EventPages
      filter={{ customerId: account.id }}
      caption="Activity, newest first"
      empty="No activity recorded for this account."
      changed={account}
    />
  );
}
