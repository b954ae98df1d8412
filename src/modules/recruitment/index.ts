import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';

/** Quotas, the public application, sponsor endorsement, review, waitlist, offers and onboarding. */
export async function recruitmentModule(_app: FastifyInstance, _opts: { db: DB; config: Config }) {}
