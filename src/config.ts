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
    version,
  });
}
