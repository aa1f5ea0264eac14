import { useState } from "preact/hooks";
import { allows } from "../../../session/store-choice.ts";
import { OutcomeLine } from "../../../shared/OutcomeLine.tsx";
import { ReadOnlyHint, useAction } from "../action-state.tsx";
import type { TabProps } from "../registry.ts";
import { NotificationList } from "./NotificationList.tsx";
import { NotifyForm } from "./NotifyForm.tsx";

/** Sending the customer a message through one of the store's applications, and what was sent to them. */
export function NotificationsTab({ account, store }: TabProps) {
  // Each message sent bumps it: the list asks again.
  const [sent, setSent] = useState(0);
  const action = useAction(() => setSent((n) => n + 1));
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  return (
    <>
      <h2>Notify the customer</h2>
      <ReadOnlyHint allowed={mayWrite} />
      <NotifyForm customerId={account.id} allowed={mayWrite && !action.busy} run={action.run} />
      <OutcomeLine outcome={action.outcome} />
      <NotificationList customerId={account.id} sent={sent} />
    </>
  );
}
