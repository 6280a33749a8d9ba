/** The photos step of the report journey: add, remove and check photos, within the per-address byte quota. */
import type { AstroGlobal } from 'astro';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { deletePhoto, isSensitive, MAX_PHOTOS, nextStep, PhotoBusyError, PhotoError, preparePhotoProcessing, previousStep, reservePhotoBytes, saveDraft, storePhoto, type FieldError, type PhotoInput, type StoredPhoto } from '../../domains/reports/index.ts';
import { clientAddressOf } from '../client-address.ts';
import { translate } from '../../platform/i18n/index.ts';
import { loadReportDraft, photoQuota, readForm, stepPath, tooManyError } from './flow.ts';

/** What the photos page renders. */
export interface PhotosStep {
  errors: FieldError[];
  photos: StoredPhoto[];
  back: string;
  action: string;
  sensitive: boolean;
}

/** One uploaded file: its name, its size, and how to get it for the cleaner (its bytes, or the file it streamed to). */
interface Upload {
  name: string;
  size: number;
  input: () => Promise<PhotoInput>;
}

/**
 * The files of a POST: those the server module streamed to disk (locals.photoUpload), or else (in `astro dev`, which has
 * no server module) the form's File values. null when the body could not be read.
 */
function uploadsOf(astro: AstroGlobal, form: FormData): Upload[] | null {
  const streamed = astro.locals.photoUpload;
  if (streamed) return streamed.unreadable ? null : streamed.files.map((f) => ({ name: f.name, size: f.bytes, input: () => Promise.resolve({ path: f.path, bytes: f.bytes }) }));
  return form
    .getAll('photos')
    .filter((v): v is File => typeof v !== 'string' && v.size > 0)
    .map((f) => ({ name: f.name, size: f.size, input: async () => new Uint8Array(await f.arrayBuffer()) }));
}

/** Store uploaded files as photos; on any failure remove what this request stored and say why. */
async function storeUploads(astro: AstroGlobal, files: Upload[], fail: (text: string) => void, errors: FieldError[]): Promise<StoredPhoto[]> {
  const uploadDir = getRuntime().env.UPLOAD_DIR;
  const quota = await reservePhotoBytes(clientAddressOf(astro), files.reduce((n, f) => n + f.size, 0), photoQuota());
  if (!quota.ok) {
    errors.push(tooManyError(astro, translate(astro.locals.lang, 'report.photos.tooManyUploads'), quota.retryAfterMs, '#photos'));
    return [];
  }
  const added: StoredPhoto[] = [];
  for (const file of files) {
    try {
      added.push(await storePhoto(uploadDir, await file.input(), file.name || 'photo'));
    } catch (error) {
      if (error instanceof PhotoBusyError) errors.push(tooManyError(astro, translate(astro.locals.lang, 'report.photos.busy'), 60_000, '#photos'));
      else fail(error instanceof PhotoError ? error.message : translate(astro.locals.lang, 'report.photos.notImage', { name: file.name }));
      break;
    }
  }
  if (errors.length > 0) for (const p of added) await deletePhoto(uploadDir, p.key);
  return errors.length > 0 ? [] : added;
}

/** Handle the photos step: a redirect Response, or what to render (with errors after a refused POST); streamed files are removed before the answer. */
export async function handlePhotosStep(astro: AstroGlobal): Promise<Response | PhotosStep> {
  try {
    return await handlePhotos(astro);
  } finally {
    await astro.locals.photoUpload?.discard();
  }
}

/** The photos step itself: add, remove or go on. */
async function handlePhotos(astro: AstroGlobal): Promise<Response | PhotosStep> {
  const loaded = await loadReportDraft(astro, 'photos');
  if ('response' in loaded) return loaded.response;
  let { draft } = loaded;
  const change = astro.url.searchParams.get('change') === '1';
  const action = change ? '/report/photos?change=1' : '/report/photos';
  const back = change ? '/report/check' : stepPath(previousStep('photos', draft.data));
  const errors: FieldError[] = [];
  const t = (key: string, params?: Record<string, string | number>) => translate(astro.locals.lang, key, params);
  const fail = (text: string) => errors.push({ field: 'photos', href: '#photos', text });
  let photos: StoredPhoto[] = draft.data.photos ?? [];
  if (astro.request.method !== 'POST') preparePhotoProcessing();
  if (astro.request.method === 'POST') {
    const form = await readForm(astro);
    const files = form && uploadsOf(astro, form);
    if (!form || !files) fail(t('report.photos.unreadable'));
    else {
      const intent = form.get('intent');
      const remove = form.get('remove');
      if (typeof remove === 'string' && remove) {
        const kept = photos.filter((p) => p.key !== remove);
        if (kept.length !== photos.length) {
          await deletePhoto(getRuntime().env.UPLOAD_DIR, remove);
          await saveDraft(draft, { photos: kept });
        }
        return astro.redirect(action, 303);
      }
      if (form.getAll('photos').some((v) => typeof v === 'string' && v !== '')) fail(t('report.photos.notFiles'));
      else if (photos.length + files.length > MAX_PHOTOS) fail(t('report.photos.tooMany', { max: MAX_PHOTOS }));
      else if (files.length > 0) {
        const added = await storeUploads(astro, files, fail, errors);
        if (errors.length === 0) {
          draft = await saveDraft(draft, { photos: [...photos, ...added] });
          photos = draft.data.photos ?? [];
          if (intent === 'upload') return astro.redirect(action, 303);
        }
      } else if (intent === 'upload') fail(t('report.photos.select'));
      if (errors.length === 0) return astro.redirect(change ? '/report/check' : stepPath(nextStep('photos', draft.data) as 'privacy'), 303);
    }
    if (astro.response.status === 200) astro.response.status = 400;
  }
  return { errors, photos, back, action, sensitive: isSensitive(draft.data, getConfig()) };
}
