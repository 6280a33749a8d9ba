/** Environment settings, validated once at start; a bad value stops the process with its name. */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const databaseUrl = z
  .string()
  .refine((v) => /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(v), {
    message: 'must start with file:, libsql://, http://, https://, ws:// or wss://',
  })
  .refine((v) => !v.startsWith('file:') || v.length > 'file:'.length, { message: 'file: URL needs a path' });

const envSchema = z.object({
  DATABASE_URL: databaseUrl.default('file:data/saferline.db'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
  PUBLIC_URL: z.url({ message: 'must be an absolute http(s) URL' }).default('http://localhost:4321'),
  SMTP_URL: z
    .string()
    .refine((v) => v === '' || /^smtps?:\/\//.test(v), { message: 'must start with smtp:// or smtps://' })
    .optional(),
  MAIL_FROM: z.string().min(3).default('Saferline <no-reply@saferline.invalid>'),
  MAIL_DIR: z.string().default('data/mail'),
  UPLOAD_DIR: z.string().default('data/uploads'),
  CONTENT_DIR: z.string().default('content'),
  DEMO_MODE: bool.default(true),
  DEMO_CASES: bool.default(true),
  SECURE_COOKIES: bool.optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(10).max(600000).default(2000),
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(32).optional(),
  REPORTS_PER_HOUR_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  /** Reverse proxies in front of the server that append to X-Forwarded-For (0: use the socket address). */
  TRUSTED_PROXY_HOPS: z.string().regex(/^(\d|10)$/, { message: 'must be a whole number from 0 to 10' }).transform(Number).default(0),
  DRAFTS_PER_HOUR_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  DRAFTS_PER_HOUR: z.coerce.number().int().min(1).default(3000),
  /** Submissions of each public consultation form (response, resume link, meeting registration) one address may make in an hour. */
  CONSULTATION_FORMS_PER_HOUR_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  PHOTO_MB_PER_DAY_PER_ADDRESS: z.coerce.number().min(1).default(100),
  PHOTO_MB_PER_DAY: z.coerce.number().min(1).default(5000),
  SECRET_KEY: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** Longest time to receive a whole request (headers and body); a slower one gets 408 and is closed. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600000).default(30000),
  /** Longest time to receive a request's headers; must not exceed REQUEST_TIMEOUT_MS. */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(500).max(600000).default(10000),
  /** On SIGTERM, longest time to let in-flight requests finish before closing what is left. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600000).default(10000),
  /** The map pin's tile server: a URL template with {z}, {x} and {y}; unset means no map on the report's where step. */
  MAP_TILE_URL: z
    .string()
    .refine((v) => /^https?:\/\/[^/\s]+\/\S*$/.test(v) && v.includes('{z}') && v.includes('{x}') && v.includes('{y}'), {
      message: 'must be an http(s) URL template with {z}, {x} and {y}',
    })
    .optional(),
  /** The words the map shows for its tiles' copyright (plain text). */
  MAP_ATTRIBUTION: z.string().min(1).max(300).default('© OpenStreetMap contributors'),
  /** The closest zoom the tile server offers. */
  MAP_MAX_ZOOM: z.coerce.number().int().min(1).max(22).default(19),
  /** How often the Open311 client sends queued referrals to agencies' endpoints. */
  OPEN311_DELIVERY_INTERVAL_MS: z.coerce.number().int().min(50).max(3600000).default(60000),
  /** How often the Open311 client asks agencies' endpoints for updates (servicerequestupdates). */
  OPEN311_UPDATES_INTERVAL_MS: z.coerce.number().int().min(50).max(86400000).default(300000),
  /** How long the Open311 client waits for an agency's endpoint to answer. */
  OPEN311_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),
  /** The unit of the Open311 delivery retry schedule: 1, 5 and 30 units, then every 60. */
  OPEN311_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3600000).default(60000),
});

/** The validated environment. */
export type Env = z.infer<typeof envSchema>;

/** Thrown when a setting is wrong; the message names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse and validate environment variables; throws ConfigError naming each bad setting. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  if (result.data.HEADERS_TIMEOUT_MS > result.data.REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration: HEADERS_TIMEOUT_MS: must not be more than REQUEST_TIMEOUT_MS');
  }
  return result.data;
}

let cached: Env | undefined;

/** The process environment, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}
