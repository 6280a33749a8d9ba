import type { APIRoute } from 'astro';
import { guardRequest, notFound } from '../../../web/guards.ts';
import { clientAddressOf } from '../../../web/client-address.ts';
import { canViewCase, findCase, findCasePhoto } from '../../../domains/cases/index.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { getRuntime } from '../../../server/runtime.ts';
import { readPhoto } from '../../../domains/reports/index.ts';

/** A case photo, for staff only: stored outside public/, never cached, every view audited. */
export const GET: APIRoute = async (context) => {
  const denied = await guardRequest(context, 'case.read.all');
  if (denied) return denied;
  const id = context.params.id ?? '';
  const photo = await findCasePhoto(id);
  if (!photo) return await notFound(context);
  const owner = await findCase(photo.caseId);
  if (!owner || !canViewCase(context.locals.user!, owner)) return await notFound(context);
  let body: Buffer;
  try {
    body = await readPhoto(getRuntime().env.UPLOAD_DIR, photo.storageKey);
  } catch {
    return notFound(context);
  }
  await recordAudit({ kind: 'user', id: context.locals.user!.id, ip: clientAddressOf(context) }, 'photo.view', { kind: 'case', id: photo.caseId }, { attachment: photo.id });
  return new Response(new Uint8Array(body), {
    headers: { 'Content-Type': photo.mime, 'Cache-Control': 'private, no-store', 'Content-Disposition': 'inline', 'Content-Length': String(body.byteLength) },
  });
};
