import { type Kysely, type MigrationResult, Migrator } from 'kysely';
import { migrations } from './migrations/index.ts';

export class MigrationError extends Error {}

function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Modules add migrations in their own number ranges; one merged later may sort before one
    // already applied, so apply any missing migration rather than refuse.
    allowUnorderedMigrations: true,
  });
}

/** Applies every pending migration; returns the names applied. Safe to run from several processes. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new MigrationError(
      `Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations with their state, for the CLI. */
export async function listMigrations(db: Kysely<any>): Promise<{ name: string; executedAt?: Date }[]> {
  const all = await createMigrator(db).getMigrations();
  return all.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
