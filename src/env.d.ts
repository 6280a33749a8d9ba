/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    user: import('./domains/identity/types.ts').SessionUser | null;
    session: import('./domains/identity/types.ts').SessionInfo | null;
    /** Set by the server module (src/server/entry.ts) for every request; read it through clientAddressOf (src/web/client-address.ts). */
    clientAddress?: string | null;
    /** The request's language code ('en', 'cy', 'pl'…), set by the middleware (src/web/language.ts); staff pages are 'en'. */
    lang: string;
    /** Set by the thin send path (src/web/report/send.ts) when it counted a send that a rate limit refused: the wait, for the page to show. */
    reportSendRefusedForMs?: number;
    /** Set by the server module for a multipart POST to the photos step: the files streamed to disk (src/web/report/photo-upload.ts). */
    photoUpload?: import('./web/report/photo-upload.ts').PhotoUpload;
  }
}
