import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/database.ts";
import { newSecret, sealSecret } from "../../src/connectors/secrets.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";

// Outflow connectors as rows, for the delivery worker's tests (the admin API creates them in
// production). event_like is derived from the patterns as the outbox matches them: `*` → `%`,
// LIKE's own `_` and `%` (and the escape character) escaped.

export type ConnectorRow = Partial<Omit<Prisma.ConnectorUncheckedCreateInput, "id" | "tenantId" | "secretSealed" | "eventLike">> & {
  url: string;
};

export const eventLike = (patterns: string[]) => patterns.map((p) => p.replace(/[\\_%]/g, (c) => `\\${c}`).replace(/\*/g, "%"));

/** Inserts an active outflow connector of `tenantId` listening to `row.events` (default `customer.*`); answers it with its secret. */
export async function insertConnector(db: Db, masterKey: Buffer, tenantId: string, row: ConnectorRow) {
  const id = randomUUID();
  const secret = newSecret();
  const events = (row.events as string[] | undefined) ?? ["customer.*"];
  const connector = await db.connector.create({
    data: {
      name: `connector-${id.slice(0, 8)}`,
      direction: "OUTFLOW",
      ...row,
      events,
      id,
      tenantId,
      eventLike: eventLike(events),
      secretSealed: sealSecret(masterKey, id, secret),
    },
  });
  return { ...connector, secret };
}

/** Makes `previous` the connector's previous secret (valid for another hour) and a new one current, as a rotation does. */
export async function rotateSecretRow(db: Db, masterKey: Buffer, connector: { id: string; secret: string }) {
  const secret = newSecret();
  await db.connector.update({
    where: { id: connector.id },
    data: {
      secretSealed: sealSecret(masterKey, connector.id, secret),
      previousSecretSealed: sealSecret(masterKey, connector.id, connector.secret),
      previousSecretExpiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  return secret;
}
