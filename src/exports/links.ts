import { hkdfSync, randomUUID } from "node:crypto";
import { EncryptJWT, jwtDecrypt, errors as joseErrors } from "jose";
import { RuleViolationError } from "../errors.ts";
import type { ServiceContext } from "../service-context.ts";
import { prepareExport, type CheckedExportRequest, type ExportFormat, type ExportRequest } from "./selection.ts";
import { recordExportCreated } from "./service.ts";

// Download links: the checked export request sealed in a JWE (dir + A256GCM, jose) under a key
// derived from the master key. Sealed rather than signed: a filter can hold personal data (an
// email address) and URLs end up in logs and browser histories. Authenticated encryption makes it
// tamper-proof; the tenant and the credential that asked are inside, so a link exports only that
// tenant's customers and nobody can mint one without the master key. No row is stored: a link is
// usable by whoever holds it until it expires (10 minutes), like any pre-signed URL; revoking the
// credential that made it ends it too (checked on download).

export const LINK_TTL_SECONDS = 600;
export const EXPORT_PATH = "/exports/";

export interface CustomerExportLink {
  /** Path on the gateway's own origin (a reverse proxy in front knows the public one). */
  url: string;
  expiresAt: Date;
  format: ExportFormat;
}

/** What a valid link names: whose export, of what. */
export interface OpenedLink {
  exportId: string;
  tenantId: string;
  credentialId: string;
  /** An export to run (createCustomerExport), or … */
  request?: CheckedExportRequest;
  /** … a scheduled export's file to send. */
  fileId?: string;
}

const linkKey = (masterKey: Buffer) => new Uint8Array(hkdfSync("sha256", masterKey, Buffer.alloc(0), "customer-export-link", 32));

const unavailable = () => new RuleViolationError("EXPORT_UNAVAILABLE", "download links need MASTER_KEY to be set on the gateway");

/**
 * Checks the export request and answers a short-lived download link for it. Records
 * `export.created` with the selection (how many rows is known only when it runs). Bad input is a
 * ValidationError (or SEGMENT_NOT_FOUND) and records nothing. Cost: the selection's checks, then
 * one transaction with the audit event.
 */
export async function createCustomerExport(
  ctx: ServiceContext,
  masterKey: Buffer | null,
  input: ExportRequest,
): Promise<CustomerExportLink> {
  if (!masterKey) throw unavailable();
  const { request } = await prepareExport(ctx, input);
  const exportId = randomUUID();
  const { url, expiresAt } = await sealLink(ctx, masterKey, exportId, { request });
  await recordExportCreated(ctx, exportId, request, { expiresAt: expiresAt.toISOString() });
  return { url, expiresAt, format: request.format };
}

/** A download link of a scheduled export's file, for the calling admin. */
export async function exportFileLink(
  ctx: ServiceContext,
  masterKey: Buffer | null,
  fileId: string,
): Promise<{ url: string; expiresAt: Date }> {
  if (!masterKey) throw unavailable();
  return sealLink(ctx, masterKey, fileId, { fileId });
}

async function sealLink(
  ctx: ServiceContext,
  masterKey: Buffer,
  exportId: string,
  claims: { request?: CheckedExportRequest; fileId?: string },
) {
  if (ctx.actor.kind !== "ADMIN" || !ctx.actor.id) throw new Error("download links are made for admin credentials");
  const expiresAt = new Date(Date.now() + LINK_TTL_SECONDS * 1000);
  const token = await new EncryptJWT({ ...claims, credentialId: ctx.actor.id })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setSubject(ctx.tenantId)
    .setJti(exportId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .encrypt(linkKey(masterKey));
  return { url: `${EXPORT_PATH}${token}`, expiresAt };
}

/** A link's content, or why it does not open: `expired` (HTTP 410) or `invalid` (403: tampered, forged, not a link). */
export async function openExportLink(masterKey: Buffer | null, token: string): Promise<OpenedLink | "expired" | "invalid"> {
  if (!masterKey) return "invalid";
  try {
    const { payload } = await jwtDecrypt(token, linkKey(masterKey), {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    const { sub, jti, request, fileId, credentialId } = payload as Partial<OpenedLink> & { sub?: string; jti?: string };
    if (!sub || !jti || !(request || fileId) || !credentialId) return "invalid";
    return { exportId: jti, tenantId: sub, credentialId, request, fileId };
  } catch (error) {
    return error instanceof joseErrors.JWTExpired ? "expired" : "invalid";
  }
}
