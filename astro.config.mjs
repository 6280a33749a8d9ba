// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import preact from '@astrojs/preact';
import { fileURLToPath } from 'node:url';

const bootModule = fileURLToPath(new URL('./src/boot.ts', import.meta.url));

/** Make the built server import src/boot.ts before it starts listening. */
const bootFirst = {
  name: 'saferline-boot-first',
  enforce: 'pre',
  transform(code, id) {
    if (id.replaceAll('\\', '/').endsWith('@astrojs/node/dist/server.js')) return `import ${JSON.stringify(bootModule)};\n${code}`;
  },
};

/** Saferline: server-rendered Astro app, Node standalone, Preact islands only where they enhance. */
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone', bodySizeLimit: 40 * 1024 * 1024 }),
  integrations: [preact()],
  server: { port: 4321, host: true },
  session: false,
  build: { inlineStylesheets: 'always' },
  security: {
    checkOrigin: true,
    // Behind a TLS proxy set ALLOWED_HOSTS (comma separated host names) so X-Forwarded-* is trusted.
    allowedDomains: (process.env.ALLOWED_HOSTS ?? '')
      .split(',')
      .filter(Boolean)
      .map((hostname) => ({ hostname, protocol: 'https' })),
  },
  vite: {
    plugins: [bootFirst],
    ssr: { external: ['@node-rs/argon2', 'sharp', '@libsql/client', 'libsql'] },
    optimizeDeps: { exclude: ['@node-rs/argon2', 'sharp'] },
  },
  devToolbar: { enabled: false },
});
