/**
 * Loaded by scripts/test.ts into every test file's process and every step's (`node --import`): when the process
 * exits it appends one line to TEST_CPU_FILE, `{"name": "tests/…", "seconds": 12.3}`, the CPU time (user +
 * system) of the process and of every process it started and waited for (a test file's servers, Chromium, SMTP
 * workers). The name is TEST_CPU_NAME (a step's; taken out of the environment, so its children do not record
 * too) or else the test file's path. Wall time depends on how busy the machine is; CPU time hardly does, so this
 * is the figure to compare between runs. Linux only (it reads /proc/self/stat); elsewhere it records nothing.
 * Chromium does not wait for its renderer, GPU and utility processes (its zygote forks them), so their CPU never
 * reaches its parent's figure (it used to miss about half of a browser file's CPU): a test file's process looks at
 * its browsers' process trees four times a second and adds what those processes used up to the last look (also
 * written alone as `browsers`, for the whole run's figure).
 */
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
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

/** The pids of a process's children (over all its threads), from /proc; none when it has gone. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** A process's own CPU seconds, the CPU seconds of the children it waited for, and its start time (to tell reused pids apart). */
function statOf(pid: number): { own: number; waited: number; started: string; comm: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { own: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, waited: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND, started: fields[19]!, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
  } catch {
    return null;
  }
}

/** CPU seconds last seen of each process under a browser this process started (by pid and start time), and what each browser waited for. */
const browserProcesses = new Map<string, number>();
const browserWaited = new Map<string, number>();

/** The browser processes a child of this process stands for: the child, or the children of a shell script that starts the browser (Debian's wrappers do). */
function browsersOf(child: number): number[] {
  try {
    const argv0 = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')[0]!;
    return /(^|\/)(ba|da)?sh$/.test(argv0) ? childrenOf(child) : [child];
  } catch {
    return [];
  }
}

/** Look at the trees of the browsers this process started (children named like Chromium) and note the CPU of each process under each browser. */
function lookAtBrowsers(): void {
  for (const child of childrenOf(process.pid)) {
    if (!/chrom|headless/i.test(statOf(child)?.comm ?? '')) continue;
    for (const browser of browsersOf(child)) {
      const top = statOf(browser);
      if (!top) continue;
      // The browser itself is waited for (its CPU is in this process's figure), and so is whatever it waits for.
      browserWaited.set(`${browser}@${top.started}`, top.waited);
      const stack = childrenOf(browser);
      for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
        const s = statOf(pid);
        if (!s) continue;
        browserProcesses.set(`${pid}@${s.started}`, s.own);
        stack.push(...childrenOf(pid));
      }
    }
  }
}

/** The CPU seconds of browser processes that no process waited for: seen under the browsers, less what the browsers waited for themselves. */
function unwaitedBrowserSeconds(): number {
  const seen = [...browserProcesses.values()].reduce((a, b) => a + b, 0);
  const waited = [...browserWaited.values()].reduce((a, b) => a + b, 0);
  return Math.max(0, seen - waited);
}

const out = process.env.TEST_CPU_FILE;
const file = process.argv[1];
// `node --test` itself loads this too (and passes it on to each file's process): it records nothing of its own.
const isTestFile = !!file && /\.test\.[cm]?[jt]s$/.test(file) && !process.execArgv.includes('--test');
const name = process.env.TEST_CPU_NAME ?? (isTestFile ? relative(process.cwd(), file) : undefined);
delete process.env.TEST_CPU_NAME;
if (out && name) {
  if (isTestFile) setInterval(lookAtBrowsers, 250).unref();
  process.on('exit', () => {
    try {
      const seconds = cpuSecondsOfTree(readFileSync('/proc/self/stat', 'utf8'));
      const browsers = unwaitedBrowserSeconds();
      if (seconds !== null) appendFileSync(out, JSON.stringify({ name, seconds: seconds + browsers, ...(browsers > 0 ? { browsers } : {}) }) + '\n');
    } catch {
      /* no /proc: nothing recorded */
    }
  });
}
