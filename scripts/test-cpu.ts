/**
 * Loaded by scripts/test.ts into every test file's process and every step's (`node --import`): when the process
 * exits it appends one line to TEST_CPU_FILE, `{"name": "tests/…", "seconds": 12.3}`, the CPU time (user +
 * system) of the process and of every process it started and waited for (a test file's servers, Chromium, SMTP
 * workers). The name is TEST_CPU_NAME (a step's; taken out of the environment, so its children do not record
 * too) or else the test file's path. Wall time depends on how busy the machine is; CPU time hardly does, so this
 * is the figure to compare between runs. Linux only (it reads /proc/self/stat); elsewhere it records nothing.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** Clock ticks per second of /proc's times (USER_HZ, 100 on every Linux build). */
const TICKS_PER_SECOND = 100;

/** User + system seconds of this process and its waited-for children, from /proc/self/stat; null where there is none. */
export function cpuSecondsOfTree(stat: string): number | null {
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis): field 3 is the
  // state; utime, stime, cutime and cstime are fields 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields.slice(11, 15).map(Number);
  if (ticks.length !== 4 || ticks.some((t) => !Number.isFinite(t))) return null;
  return ticks.reduce((a, b) => a + b, 0) / TICKS_PER_SECOND;
}

const out = process.env.TEST_CPU_FILE;
const file = process.argv[1];
// `node --test` itself loads this too (and passes it on to each file's process): it records nothing of its own.
const isTestFile = !!file && /\.test\.[cm]?[jt]s$/.test(file) && !process.execArgv.includes('--test');
const name = process.env.TEST_CPU_NAME ?? (isTestFile ? relative(process.cwd(), file) : undefined);
delete process.env.TEST_CPU_NAME;
if (out && name) {
  process.on('exit', () => {
    try {
      const seconds = cpuSecondsOfTree(readFileSync('/proc/self/stat', 'utf8'));
      if (seconds !== null) appendFileSync(out, JSON.stringify({ name, seconds }) + '\n');
    } catch {
      /* no /proc: nothing recorded */
    }
  });
}
