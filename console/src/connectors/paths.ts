/** A connector's page, relative to the /connectors screen's nested router; ids are opaque, so encoded. */
export const connectorPath = (id: string) => `/${encodeURIComponent(id)}`;

/**
 * The row id a Relay global ID wraps as base64("<Type>:<id>"). Outside GraphQL the gateway speaks
 * row ids: a delivery's is the webhook-id its receiver sees, an inflow connector's is in its URL.
 */
export const rowIdOf = (globalId: string) => atob(globalId).split(":")[1] ?? globalId;
