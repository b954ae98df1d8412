import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from './paths.ts';

/** The only reader of process.env. Parsed once, typed, frozen; a bad value fails start-up. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  CLN_DATA_DIR: z.string().min(1).optional(),
  BASE_URL: z.string().url().optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(60),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Clinical Leaders Network <no-reply@cln.nhs.example>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  OFFER_REPLY_DAYS: z.coerce
    .number({ error: 'expected a whole number of days from 1 to 365' })
    .int('expected a whole number of days from 1 to 365')
    .min(1, 'expected a whole number of days from 1 to 365')
    .max(365, 'expected a whole number of days from 1 to 365')
    .default(14),
  FORMATION_SECONDS: z.coerce
    .number({ error: 'expected a number of seconds from 0.1 to 60' })
    .min(0.1, 'expected a number of seconds from 0.1 to 60')
    .max(60, 'expected a number of seconds from 0.1 to 60')
    .optional(),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  FILES_DIR: z.string().min(1).optional(),
  FILE_MAX_MB: z.coerce
    .number({ error: 'expected a number of megabytes from 1 to 500' })
    .min(1, 'expected a number of megabytes from 1 to 500')
    .max(500, 'expected a number of megabytes from 1 to 500')
    .default(20),
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('eu-west-2'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  baseUrl: string;
  session: { idleMinutes: number; absoluteHours: number };
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  trustProxy: boolean;
  rateLimitPerMinute: number;
  /** Days an applicant has to accept an offer of a place before it lapses. */
  offerReplyDays: number;
  /** The set formation engine's time budget (each parallel search has all of it). */
  formationMs: number;
  /**
   * Where uploaded files (the library's) are kept: on disk in `dir`, or in an S3-compatible bucket
   * when `S3_BUCKET` is set. `maxBytes` caps one upload.
   */
  files: {
    maxBytes: number;
    store:
      | { kind: 'disk'; dir: string }
      | {
          kind: 's3';
          bucket: string;
          region: string;
          endpoint: string | undefined;
          forcePathStyle: boolean;
          credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
        };
  };
  version: string;
}>;

export class ConfigError extends Error {}

/** Reads configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, version = '0.0.0'): Config {
  // An empty variable means unset (VAR= in a shell or a .env file).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const database = e.DATABASE_URL
    ? ({ kind: 'postgres', url: e.DATABASE_URL } as const)
    : ({ kind: 'pglite', dataDir: path.resolve(e.CLN_DATA_DIR ?? path.join(projectRoot, 'data')) } as const);
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY))
    throw new ConfigError(
      'Invalid configuration: set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither',
    );
  // Files sit next to the embedded database by default; tests keep theirs in the temporary directory.
  const dataDir = path.resolve(e.CLN_DATA_DIR ?? path.join(projectRoot, 'data'));
  const filesDir = path.resolve(
    e.FILES_DIR ??
      (e.NODE_ENV === 'test' && !e.CLN_DATA_DIR
        ? path.join(os.tmpdir(), 'cln-test-files')
        : path.join(dataDir, 'files')),
  );
  const files: Config['files'] = {
    maxBytes: Math.round(e.FILE_MAX_MB * 1024 * 1024),
    store: e.S3_BUCKET
      ? {
          kind: 's3',
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
          endpoint: e.S3_ENDPOINT,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
          credentials:
            e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
              ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
              : undefined,
        }
      : { kind: 'disk', dir: filesDir },
  };
  const shownHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    database,
    baseUrl: (e.BASE_URL ?? `http://${shownHost}:${e.PORT}`).replace(/\/$/, ''),
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    offerReplyDays: e.OFFER_REPLY_DAYS,
    // Tests form many small cohorts: a short budget keeps them fast; the engine is anytime.
    formationMs: Math.round((e.FORMATION_SECONDS ?? (e.NODE_ENV === 'test' ? 0.15 : 2)) * 1000),
    files,
    version,
  });
}
