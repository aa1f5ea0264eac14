import type { ConsoleConnectorFragment, DeliveryStatus } from "../generated/graphql.ts";

export function ActiveLabel({ connector }: { connector: Pick<ConsoleConnectorFragment, "active" | "deactivatedReason"> }) {
  if (connector.active) return <span class="label label-good">Active</span>;
  return <span class="label label-bad">{connector.deactivatedReason ? "Deactivated automatically" : "Inactive"}</span>;
}

const STATUS_CLASS: Record<DeliveryStatus, string> = {
  DELIVERED: "label label-good",
  FAILED: "label label-bad",
  PENDING: "label label-warn",
  SENDING: "label label-warn",
  SKIPPED: "label",
};

export function DeliveryStatusLabel({ status }: { status: DeliveryStatus }) {
  return <span class={STATUS_CLASS[status]}>{status.charAt(0) + status.slice(1).toLowerCase()}</span>;
}

export const directionName = (direction: "INFLOW" | "OUTFLOW") => (direction === "OUTFLOW" ? "Outflow" : "Inflow");
