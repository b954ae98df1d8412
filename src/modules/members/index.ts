import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';

/** Profiles, organisations, the directory, privacy, import/export and data rights. */
export async function membersModule(_app: FastifyInstance, _opts: { db: DB; config: Config }) {}
