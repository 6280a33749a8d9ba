/** Structured logs: one JSON object per line on stdout. */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
let threshold = order[(process.env.LOG_LEVEL as Level) ?? 'info'] ?? 20;

/** Change the log level at run time (tests and scripts). */
export function setLogLevel(level: Level | 'silent') {
  threshold = order[level];
}

function write(level: Level, event: string, fields: Record<string, unknown>) {
  if (order[level] < threshold) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, event, ...fields });
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}

/** The application logger. */
export const log = {
  debug: (event: string, fields: Record<string, unknown> = {}) => write('debug', event, fields),
  info: (event: string, fields: Record<string, unknown> = {}) => write('info', event, fields),
  warn: (event: string, fields: Record<string, unknown> = {}) => write('warn', event, fields),
  error: (event: string, fields: Record<string, unknown> = {}) => write('error', event, fields),
};

/** A request path fit for logs: long id or token segments (invitation and reset links) become ':id'. */
export function routeOf(path: string): string {
  return path.split('?')[0]!.split('/').map((s) => (s.length >= 16 && /^[A-Za-z0-9_~.%-]+$/.test(s) ? ':id' : s)).join('/').slice(0, 200);
}

/** An error's name and first message line, then its cause's, for logs: e-mail addresses and long numbers removed. */
export function describeError(error: unknown): string {
  const line = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0]!.slice(0, 240);
  const cause = error instanceof Error && error.cause !== undefined ? ` (cause: ${line(error.cause)})` : '';
  return (line(error) + cause)
    .replace(/[^\s@'"<>]+@[^\s@'"<>]+/g, '[email]')
    .replace(/\+?\d[\d ]{6,}\d/g, '[number]')
    .slice(0, 520);
}
