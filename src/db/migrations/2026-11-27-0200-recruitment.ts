import type { Kysely } from 'kysely';

// The recruitment module's tables.
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
