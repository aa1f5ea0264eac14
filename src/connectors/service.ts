import { randomUUID } from "node:crypto";
import type { ConnectorSettings } from "../config.ts";
import { diff, transact, type Tx } from "../db/transact.ts";
import { isUniqueViolation } from "../db/unique.ts";
import { ConflictError, NotFoundError, RuleViolationError, ValidationError } from "../errors.ts";
import type { Connector, Prisma } from "../generated/prisma/client.ts";
import type { ConnectorDirection } from "../generated/prisma/enums.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { checkConnector, type ConnectorFields } from "./input.ts";
import { newSecret, openSecret, sealSecret, SECRET_PREFIX } from "./secrets.ts";

// Admin management of cloud connectors: create (the signing secret is answered once and stored
// sealed under the master key), change, activate, deactivate, delete, rotate the secret. Each is
// one transaction with its audit event; the secret and header values never reach the audit trail.

export interface ConnectorOptions {
  /** Seals connector secrets; without one, creating a connector or rotating its secret answers CONNECTORS_UNAVAILABLE. */
  masterKey: Buffer | null;
  settings: Pick<ConnectorSettings, "allowPrivateTargets" | "minRetryIntervalMs">;
}

export interface ConnectorInput extends ConnectorFields {
  direction: ConnectorDirection;
  /** Default true. */
  active?: boolean | null;
}

/** Only what is given changes; null clears an expression or restores a default. Direction never changes. */
export type ConnectorPatch = Partial<ConnectorFields>;

/** A connector with its signing secret: the one answer that carries the secret. */
export interface IssuedConnectorSecret {
  connector: Connector;
  secret: string;
}

export const DEFAULT_OVERLAP_SECONDS = 86_400;
export const MAX_OVERLAP_SECONDS = 7 * 86_400;

const unavailable = () =>
  new RuleViolationError("CONNECTORS_UNAVAILABLE", "connector secrets need MASTER_KEY to be set on the gateway (it seals them)");
const notFound = () => new NotFoundError("CONNECTOR_NOT_FOUND");

async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw isUniqueViolation(error, "name") ? new ConflictError("CONNECTOR_NAME_TAKEN", "name", "another connector has this name") : error;
  }
}

type Relations = { include?: Prisma.ConnectorInclude; select?: Prisma.ConnectorSelect };

/** One connector of the caller's tenant by id, or null. Cost: one indexed statement. */
export async function findConnector(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Connector | null> {
  return isUuid(id) ? ctx.db.connector.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : null;
}

export interface ConnectorListFilter {
  direction?: ConnectorDirection | null;
  active?: boolean | null;
}

/** A page of the tenant's connectors, newest first, as Pothos's prismaConnection asks for it. Cost: one statement. */
export function listConnectors(
  ctx: ServiceContext,
  page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations,
  filter: ConnectorListFilter = {},
) {
  const cursor = page.cursor?.id;
  if (cursor !== undefined && (typeof cursor !== "string" || !isUuid(cursor)))
    throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
  return ctx.db.connector.findMany({
    ...(page as object),
    cursor: cursor ? { id_tenantId: { id: cursor, tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId, direction: filter.direction ?? undefined, active: filter.active ?? undefined },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** Locks and loads a connector of the caller's tenant in `tx` (the worker updates the same row). Throws CONNECTOR_NOT_FOUND. */
export async function requireConnector(tx: Tx, ctx: ServiceContext, id: string): Promise<Connector> {
  if (!isUuid(id)) throw notFound();
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM connector WHERE id = ${id}::uuid AND tenant_id = ${ctx.tenantId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw notFound();
  return tx.connector.findUniqueOrThrow({ where: { id } });
}

/** What the audit trail keeps of a connector's configuration: header values (often credentials) are left out. */
const audited = (c: Connector) => ({
  connectorId: c.id,
  name: c.name,
  direction: c.direction,
  active: c.active,
  url: c.url,
  events: c.events,
  rule: c.rule,
  mapping: c.mapping,
  preEvent: c.preEvent,
  postEvent: c.postEvent,
  headerNames: Object.keys(c.headers as object),
  retryIntervalMs: c.retryIntervalMs,
  maxAttempts: c.maxAttempts,
  backoff: c.backoff,
  timeoutMs: c.timeoutMs,
  disableAfterFailures: c.disableAfterFailures,
  inflowAuth: c.inflowAuth,
  matchBy: c.matchBy,
});

/**
 * Creates a connector and its signing secret, answered here and never again. Records
 * `connector.created`. Throws VALIDATION_FAILED (every field problem), CONNECTOR_NAME_TAKEN,
 * CONNECTORS_UNAVAILABLE without a master key. Cost: the checks (input.ts), one transaction.
 */
export async function createConnector(
  ctx: ServiceContext,
  options: ConnectorOptions,
  input: ConnectorInput,
): Promise<IssuedConnectorSecret> {
  const { masterKey } = options;
  if (!masterKey) throw unavailable();
  const columns = await checkConnector(ctx, options.settings, { direction: input.direction, fields: input, given: input, path: "input" });
  const id = randomUUID();
  const secret = newSecret();
  const connector = await translate(
    transact(ctx, async (tx, audit) => {
      const row = await tx.connector.create({
        data: {
          ...columns,
          id,
          tenantId: ctx.tenantId,
          direction: input.direction,
          active: input.active ?? true,
          secretSealed: sealSecret(masterKey, id, secret),
        },
      });
      await audit({ type: "connector.created", data: audited(row) });
      return row;
    }),
  );
  return { connector, secret };
}

/** The configuration of a stored connector, as the input it would be created from. */
const fieldsOf = (c: Connector): ConnectorFields => ({ ...c, headers: c.headers as Record<string, string> });

/**
 * Changes what `patch` gives (checked as a whole with the rest of the configuration). Records
 * `connector.updated` with the changes (header values left out); nothing when nothing changed.
 * Throws VALIDATION_FAILED, CONNECTOR_NOT_FOUND, CONNECTOR_NAME_TAKEN.
 */
export async function updateConnector(
  ctx: ServiceContext,
  options: ConnectorOptions,
  id: string,
  patch: ConnectorPatch,
): Promise<Connector> {
  const before = await findConnector(ctx, id);
  if (!before) throw notFound();
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ConnectorPatch;
  const fields = { ...fieldsOf(before), ...given };
  const next = await checkConnector(ctx, options.settings, { direction: before.direction, fields, given, path: "input" });
  return translate(
    transact(ctx, async (tx, audit) => {
      const current = await requireConnector(tx, ctx, before.id);
      const { eventLike, ...compared } = next;
      const changes = diff(current as unknown as Record<string, unknown>, compared);
      if (Object.keys(changes).length === 0) return current;
      if (changes.headers) changes.headers = { from: Object.keys(current.headers as object), to: Object.keys(next.headers) };
      const connector = await tx.connector.update({ where: { id: current.id }, data: { ...compared, eventLike } });
      await audit({ type: "connector.updated", data: { connectorId: connector.id, name: connector.name, changes } });
      return connector;
    }),
  );
}

/**
 * Activates a connector: it queues deliveries again, its failure count starts from 0 and the
 * reason of an automatic deactivation is cleared. Records `connector.activated`; nothing when it
 * was active with no failures counted. Throws CONNECTOR_NOT_FOUND.
 */
export async function activateConnector(ctx: ServiceContext, id: string): Promise<Connector> {
  return transact(ctx, async (tx, audit) => {
    const current = await requireConnector(tx, ctx, id);
    const next = { active: true, consecutiveFailures: 0, deactivatedReason: null };
    const changes = diff(current as unknown as Record<string, unknown>, next);
    if (Object.keys(changes).length === 0) return current;
    const connector = await tx.connector.update({ where: { id: current.id }, data: next });
    await audit({ type: "connector.activated", data: { connectorId: connector.id, name: connector.name, changes } });
    return connector;
  });
}

/** Deactivates a connector: no new deliveries are queued for it. Records `connector.deactivated`; nothing when inactive already. */
export async function deactivateConnector(ctx: ServiceContext, id: string): Promise<Connector> {
  return transact(ctx, async (tx, audit) => {
    const current = await requireConnector(tx, ctx, id);
    if (!current.active) return current;
    const connector = await tx.connector.update({ where: { id: current.id }, data: { active: false } });
    await audit({ type: "connector.deactivated", data: { connectorId: connector.id, name: connector.name } });
    return connector;
  });
}

/** Deletes a connector with its deliveries, their attempts and its inflow requests. Records `connector.deleted`. */
export async function deleteConnector(ctx: ServiceContext, id: string): Promise<Connector> {
  return transact(ctx, async (tx, audit) => {
    const connector = await requireConnector(tx, ctx, id);
    await tx.connector.delete({ where: { id: connector.id } });
    await audit({ type: "connector.deleted", data: audited(connector) });
    return connector;
  });
}

/**
 * Gives the connector a new signing secret, answered here once. The previous one stays valid for
 * `overlapSeconds` (default 24 h, at most 7 days; 0 ends it now): outflow requests are signed with
 * both meanwhile, inflow accepts either. Records `connector.secret_rotated`. Throws
 * CONNECTOR_NOT_FOUND, VALIDATION_FAILED, CONNECTORS_UNAVAILABLE without a master key.
 */
export async function rotateConnectorSecret(
  ctx: ServiceContext,
  options: Pick<ConnectorOptions, "masterKey">,
  id: string,
  overlapSeconds: number = DEFAULT_OVERLAP_SECONDS,
): Promise<IssuedConnectorSecret> {
  const { masterKey } = options;
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_OVERLAP_SECONDS)
    throw new ValidationError([
      { field: "overlapSeconds", message: `a whole number of seconds from 0 to ${MAX_OVERLAP_SECONDS} (7 days)` },
    ]);
  if (!masterKey) throw unavailable();
  const secret = newSecret();
  const connector = await transact(ctx, async (tx, audit) => {
    const current = await requireConnector(tx, ctx, id);
    const expiresAt = overlapSeconds > 0 ? new Date(Date.now() + overlapSeconds * 1000) : null;
    // The sealed secret is bound to the connector id, not to its column: it moves over unopened.
    const row = await tx.connector.update({
      where: { id: current.id },
      data: {
        secretSealed: sealSecret(masterKey, current.id, secret),
        previousSecretSealed: expiresAt ? current.secretSealed : null,
        previousSecretExpiresAt: expiresAt,
      },
    });
    await audit({ type: "connector.secret_rotated", data: { connectorId: row.id, name: row.name, previousSecretExpiresAt: expiresAt } });
    return row;
  });
  return { connector, secret };
}

/** `whsec_…` and the secret's last four characters, to tell secrets apart; null without the master key. */
export function secretPreview(masterKey: Buffer | null, connector: Pick<Connector, "id" | "secretSealed">): string | null {
  if (!masterKey) return null;
  return `${SECRET_PREFIX}…${openSecret(masterKey, connector.id, connector.secretSealed).slice(-4)}`;
}
