/**
 * The built static files (dist/client): listed once at start, so a dynamic route never touches the file
 * system, and served with the security headers. Hashed /_astro/ files are cached for a year.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { SECURITY_HEADERS } from '../platform/security/headers.ts';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.xml': 'application/xml',
  '.html': 'text/html; charset=utf-8',
};

interface StaticFile {
  path: string;
  size: number;
  etag: string;
  type: string;
}

/** The static files under a folder, keyed by URL path. */
function listFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else {
        const url = '/' + relative(root, path).split(sep).join('/');
        if (url.endsWith('.html')) continue; // pages are rendered by Astro
        files.set(url, { path, size: stat.size, etag: `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`, type: TYPES[extname(name)] ?? 'application/octet-stream' });
      }
    }
  };
  walk(root);
  return files;
}

/** A static file server over a folder: serve() answers and returns true when the path is one of its files. */
export function createStaticFiles(root: string) {
  const files = listFiles(root);
  return {
    serve(req: IncomingMessage, res: ServerResponse): boolean {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const path = (req.url ?? '/').split('?')[0]!;
      const file = files.get(path);
      if (!file) return false;
      const headers: Record<string, string | number> = {
        ...SECURITY_HEADERS,
        'Content-Type': file.type,
        'Content-Length': file.size,
        ETag: file.etag,
        'Cache-Control': path.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      };
      if (req.headers['if-none-match'] === file.etag) {
        delete headers['Content-Length'];
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      res.writeHead(200, headers);
      if (req.method === 'HEAD') res.end();
      else createReadStream(file.path).pipe(res);
      return true;
    },
  };
}
