// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import { fileURLToPath } from 'node:url';
import { LARGEST_BODY_LIMIT } from './src/server/body-limits.ts';

const serverModule = fileURLToPath(new URL('./src/server/entry.ts', import.meta.url));

/**
 * The Node adapter in middleware mode, built behind our own server module: src/server/entry.ts becomes
 * dist/server/entry.mjs, boots the runtime, serves static files and owns timeouts and shutdown.
 */
function nodeBehindOwnServer() {
  // The server module enforces a limit per route (src/server/body-limits.ts) before Astro reads a body;
  // the adapter's global limit is the largest of them, as a second line.
  const integration = node({ mode: 'middleware', bodySizeLimit: LARGEST_BODY_LIMIT });
  const configDone = integration.hooks['astro:config:done'];
  integration.hooks['astro:config:done'] = (params) =>
    configDone?.({ ...params, setAdapter: (adapter) => params.setAdapter({ ...adapter, serverEntrypoint: serverModule }) });
  return integration;
}

/** Saferline: server-rendered Astro app behind its own Node server module; one client module (the map pin on the report's where step). */
export default defineConfig({
  output: 'server',
  adapter: nodeBehindOwnServer(),
  server: { port: 4321, host: true },
  session: false,
  // Linked, cached stylesheets: the Content-Security-Policy allows styles from our origin only.
  build: { inlineStylesheets: 'never' },
  security: {
    checkOrigin: true,
    // Behind a TLS proxy set ALLOWED_HOSTS (comma separated host names) so X-Forwarded-* is trusted.
    allowedDomains: (process.env.ALLOWED_HOSTS ?? '')
      .split(',')
      .filter(Boolean)
      .map((hostname) => ({ hostname, protocol: 'https' })),
  },
  vite: {
    // Source maps for the server build only (test coverage maps dist/server back to src/); the client ships none.
    // Astro takes the server's from the top-level build option and gives the client its own.
    build: { sourcemap: true },
    environments: { client: { build: { sourcemap: false } } },
    ssr: { external: ['@node-rs/argon2', 'sharp', '@libsql/client', 'libsql'] },
    optimizeDeps: { exclude: ['@node-rs/argon2', 'sharp'] },
  },
  devToolbar: { enabled: false },
});
