/**
 * Documents a partner officer attaches to a referral update: a PDF, an image (JPEG, PNG or WebP) or a plain text
 * file, at most MAX_DOCUMENT_BYTES. The type is sniffed from the content (never the name or the declared type),
 * the file is stored outside public/ under UPLOAD_DIR/documents with a generated key, and only triage staff who can
 * see the case and the officers of the referral's agency may download it (every download audited by the route).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { loadSharp } from '../../platform/images.ts';
import { getDb } from '../../platform/db/client.ts';
import { referralDocuments, referrals } from '../../platform/db/schema.ts';
import { newSecret } from '../../platform/security/ids.ts';
import type { PolicySubject } from '../identity/types.ts';
import { findCase } from '../cases/actions.ts';
import { canViewCase, isInDistrictTeam } from '../cases/policy.ts';
import { canActOnReferral } from './actions.ts';

/** Largest document accepted. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** What the refusal says is allowed. */
const ALLOWED_WORDS = 'a PDF, an image (JPEG, PNG or WebP) or a plain text file';
const KEY_PATTERN = /^[a-z0-9]+\.(pdf|jpg|png|webp|txt)$/;

/** A stored referral document. */
export type ReferralDocument = typeof referralDocuments.$inferSelect;

/** A document checked and written to disk, ready to be recorded with its update. */
export interface StoredDocument {
  key: string;
  filename: string;
  mime: string;
  bytes: number;
  sha256: string;
}

/** Why a document was refused, in words for the officer. */
export class DocumentError extends Error {
  override name = 'DocumentError';
}

/** True when the bytes are UTF-8 text without control characters other than tab, line feed and carriage return. */
export function isPlainText(data: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  return ![...text].some(isControlCharacter);
}

/** True for a control character other than tab, line feed and carriage return. */
function isControlCharacter(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code < 32 && ch !== '\t' && ch !== '\n' && ch !== '\r') || code === 127;
}

/** The type of a document from its content, or null when it is not one we accept. */
export async function sniffDocumentType(data: Uint8Array): Promise<{ mime: string; ext: string } | null> {
  if (Buffer.from(data.subarray(0, 5)).toString('latin1') === '%PDF-') return { mime: 'application/pdf', ext: 'pdf' };
  const sharp = await loadSharp();
  const format = await sharp(data, { failOn: 'error' }).metadata().then((m) => m.format, () => undefined);
  if (format === 'jpeg') return { mime: 'image/jpeg', ext: 'jpg' };
  if (format === 'png' || format === 'webp') return { mime: `image/${format}`, ext: format };
  if (isPlainText(data)) return { mime: 'text/plain; charset=utf-8', ext: 'txt' };
  return null;
}

/** A file name safe to show and to send back: no folders, no control characters, at most 120 characters. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base].filter((ch) => ch !== '"' && !isControlCharacter(ch) && ch !== '\t' && ch !== '\n' && ch !== '\r').join('').trim().slice(0, 120);
  return clean || 'document';
}

/** Check a document (size, type from content) and store it under uploadDir/documents; throws DocumentError when refused. */
export async function storeDocument(uploadDir: string, data: Uint8Array, originalName: string): Promise<StoredDocument> {
  const filename = cleanFilename(originalName);
  if (data.byteLength === 0) throw new DocumentError(`${filename} is empty`);
  if (data.byteLength > MAX_DOCUMENT_BYTES) throw new DocumentError(`${filename} must be smaller than 10MB`);
  const type = await sniffDocumentType(data);
  if (!type) throw new DocumentError(`${filename} must be ${ALLOWED_WORDS}. The file's content is not one of these, whatever its name says`);
  const key = `${newSecret(16)}.${type.ext}`;
  await mkdir(join(uploadDir, 'documents'), { recursive: true });
  await writeFile(join(uploadDir, 'documents', key), data);
  return { key, filename, mime: type.mime, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Read a stored document by key (keys are generated, never paths from a request). */
export async function readDocument(uploadDir: string, key: string): Promise<Buffer> {
  if (!KEY_PATTERN.test(key)) throw new DocumentError('bad key');
  return readFile(join(uploadDir, 'documents', key));
}

/** Delete a stored document (when the update it came with was refused). */
export async function deleteDocument(uploadDir: string, key: string): Promise<void> {
  if (KEY_PATTERN.test(key)) await rm(join(uploadDir, 'documents', key), { force: true });
}

/** The documents attached to a referral's updates, oldest first. */
export function listReferralDocuments(referralId: string): Promise<ReferralDocument[]> {
  return getDb().select().from(referralDocuments).where(eq(referralDocuments.referralId, referralId)).orderBy(asc(referralDocuments.id));
}

/** The documents partners attached on a case, oldest first (for triage). */
export function listCaseDocuments(caseId: string): Promise<ReferralDocument[]> {
  return getDb().select().from(referralDocuments).where(eq(referralDocuments.caseId, caseId)).orderBy(asc(referralDocuments.id));
}

/** A document the user may download: triage staff who can see its case, or officers of its referral's agency; else undefined. */
export async function findDocumentFor(user: PolicySubject, id: string): Promise<ReferralDocument | undefined> {
  if (!/^[0-9a-z]{1,40}$/i.test(id)) return undefined;
  const [doc] = await getDb().select().from(referralDocuments).where(eq(referralDocuments.id, id)).limit(1);
  if (!doc) return undefined;
  if (user.bindsAgency) {
    const [referral] = await getDb().select({ agencyId: referrals.agencyId, caseId: referrals.caseId }).from(referrals).where(eq(referrals.id, doc.referralId)).limit(1);
    const row = referral ? await findCase(referral.caseId) : undefined;
    return referral && row && canActOnReferral(user, referral) && isInDistrictTeam(user, row) ? doc : undefined;
  }
  if (!user.permissions.includes('case.read.all')) return undefined;
  const row = await findCase(doc.caseId);
  return row && canViewCase(user, row) ? doc : undefined;
}
