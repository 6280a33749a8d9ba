/**
 * Glue for the files around referrals: a document attached to a partner update (/staff/documents/[id], triage staff
 * who can see the case and the officers of the referral's agency), and a report photo on a partner's referral
 * (/staff/referrals/[id]/photos/[photo], only while the sharing agreement lists photos). Anything else is 404;
 * every download is audited and sent with no-store.
 */
import type { APIContext } from 'astro';
import { recordAudit } from '../../platform/audit.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { findDocumentFor, findPartnerPhoto, readDocument } from '../../domains/referrals/index.ts';
import { readPhoto } from '../../domains/reports/index.ts';
import { clientAddressOf } from '../client-address.ts';
import { actorFor, notFound } from '../guards.ts';

/** A Content-Disposition header for a download: an ASCII fallback name and the UTF-8 name (RFC 6266). */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7E]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Send a referral document as a download, auditing it; 404 for anyone who may not have it. */
export async function sendReferralDocument(context: APIContext): Promise<Response> {
  const actor = actorFor(context);
  const doc = await findDocumentFor(actor, context.params.id ?? '');
  if (!doc) return notFound();
  let body: Buffer;
  try {
    body = await readDocument(getRuntime().env.UPLOAD_DIR, doc.storageKey);
  } catch {
    return notFound();
  }
  await recordAudit({ kind: 'user', id: actor.id, ip: clientAddressOf(context) }, 'referral.document.download', { kind: 'case', id: doc.caseId }, { document: doc.id, referralId: doc.referralId, agencyId: doc.agencyId });
  return new Response(new Uint8Array(body), {
    headers: { 'Content-Type': doc.mime, 'Content-Disposition': attachmentDisposition(doc.filename), 'Cache-Control': 'private, no-store', 'Content-Length': String(body.byteLength) },
  });
}

/** Send a report photo of a partner's referral when their agency's sharing agreement lists photos, auditing it; else 404. */
export async function sendPartnerPhoto(context: APIContext): Promise<Response> {
  const actor = actorFor(context);
  const found = await findPartnerPhoto(actor, context.params.id ?? '', context.params.photo ?? '', getConfig());
  if (!found) return notFound();
  let body: Buffer;
  try {
    body = await readPhoto(getRuntime().env.UPLOAD_DIR, found.photo.storageKey);
  } catch {
    return notFound();
  }
  await recordAudit({ kind: 'user', id: actor.id, ip: clientAddressOf(context) }, 'photo.view', { kind: 'case', id: found.photo.caseId }, { attachment: found.photo.id, referralId: found.referral.id });
  return new Response(new Uint8Array(body), {
    headers: { 'Content-Type': found.photo.mime, 'Cache-Control': 'private, no-store', 'Content-Disposition': 'inline', 'Content-Length': String(body.byteLength) },
  });
}
