/**
 * The minimal Astro reference for the benches: a throwaway Astro project (same Astro and Node adapter as
 * Saferline, standalone mode, no database) generated into a temporary folder and built, with one route:
 * GET / answers a small HTML page, POST / reads the urlencoded form and answers 303.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../tests/helpers/server.ts';

const root = resolve(import.meta.dirname, '..');

/** A running minimal Astro server. */
export interface MinimalAstro {
  url: string;
  proc: ChildProcess;
  /** Everything the process wrote to stderr. */
  stderr: () => string;
  stop: () => Promise<void>;
}

const route = `export const prerender = false;
export async function GET() {
  return new Response('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Minimal</title></head><body><h1>Minimal Astro route</h1><p>No database.</p></body></html>', { headers: { 'content-type': 'text/html; charset=utf-8' } });
}
export async function POST({ request }) {
  const form = await request.formData();
  const description = String(form.get('description') ?? '');
  if (description.length < 10 || description.length > 5000 || !form.get('category')) return new Response('bad', { status: 400 });
  return new Response(null, { status: 303, headers: { location: '/done' } });
}
`;

/** Generate, build and start the minimal Astro project; `preload` is a module given to node --import. */
export async function startMinimalAstro(preload?: string): Promise<MinimalAstro> {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-minimal-astro-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'minimal-astro', private: true, type: 'module' }));
  writeFileSync(join(dir, 'astro.config.mjs'), "import { defineConfig } from 'astro/config';\nimport node from '@astrojs/node';\nexport default defineConfig({ output: 'server', adapter: node({ mode: 'standalone' }), session: false });\n");
  mkdirSync(join(dir, 'src/pages'), { recursive: true });
  writeFileSync(join(dir, 'src/pages/index.js'), route);
  const build = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build', '--silent'], { cwd: dir, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`minimal Astro build failed: ${build.stderr || build.stdout}`);
  const port = await freePort();
  let err = '';
  const proc = spawn(process.execPath, [...(preload ? ['--import', pathToFileURL(preload).href] : []), join(dir, 'dist/server/entry.mjs')], {
    cwd: dir,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ASTRO_NODE_LOGGING: 'disabled' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      if (i > 200) throw new Error(`minimal Astro did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    proc,
    stderr: () => err,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A server's event-loop delay in ms (bench/loop-delay.ts): beyond the sampling timer's interval, and the histogram's raw figures. */
export interface LoopDelayFigures {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  raw: { p50: number; p99: number; max: number };
  resolutionMs: number;
  /** process.memoryUsage() in MB when the server was stopped (after the load). */
  memory?: Record<string, number>;
}

/** The event-loop delay figures a server preloaded with bench/loop-delay.ts wrote at SIGTERM. */
export function loopDelayOf(output: string): LoopDelayFigures | null {
  const line = output.split('\n').find((l) => l.startsWith('{"benchLoopDelay"'));
  return line ? (JSON.parse(line) as { benchLoopDelay: LoopDelayFigures }).benchLoopDelay : null;
}

/** Peak resident memory of a process in MB (the kernel's high-water mark, VmHWM), or 0 once it is gone. */
export function peakRssMb(pid: number): number {
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}
