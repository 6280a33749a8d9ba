/** How `npm run serve` starts the server (package.json), so that the benches measure the server as deployed. */
import { readFileSync } from 'node:fs';

/** The serve script's environment assignments and Node flags, and the words they were read from. */
export interface ServeCommand {
  env: Record<string, string>;
  nodeArgs: string[];
  text: string;
}

/** Read `VAR=value … node --flag … dist/server/entry.mjs` from the serve script; BENCH_SERVE_FLAGS replaces the flags for an experiment. */
export function serveCommand(): ServeCommand {
  const script: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts.serve;
  const match = /^((?:[A-Z_]+=\S+ )*)node ((?:--\S+ )*)dist\/server\/entry\.mjs/.exec(script);
  if (!match) throw new Error(`the serve script is not "VAR=value … node --flags … dist/server/entry.mjs": ${script}`);
  const env = Object.fromEntries(match[1]!.trim().split(' ').filter(Boolean).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  const flags = process.env.BENCH_SERVE_FLAGS ?? match[2]!.trim();
  const nodeArgs = flags.split(' ').filter(Boolean);
  return { env, nodeArgs, text: [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...nodeArgs].join(' ') };
}
