import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/db.ts';
import { sql } from 'kysely';
import { runTaskIfDue } from './scheduler.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('scheduled tasks', () => {
  it('run once per interval, however many processes ask', async () => {
    let runs = 0;
    const task = { name: 'test.count', everyMinutes: 60, run: async () => void runs++ };
    const results = await Promise.all([1, 2, 3, 4].map(() => runTaskIfDue(database.db, task)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    await database.db
      .updateTable('scheduled_tasks')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .execute();
    expect(await runTaskIfDue(database.db, task)).toBe(true);
    expect(runs).toBe(2);
  });

  it('record a failure and let the next round try again', async () => {
    const task = {
      name: 'test.fails',
      everyMinutes: 1,
      run: async () => {
        throw new Error('reminder service down');
      },
    };
    await expect(runTaskIfDue(database.db, task)).rejects.toThrow('reminder service down');
    const row = await database.db
      .selectFrom('scheduled_tasks')
      .selectAll()
      .where('name', '=', 'test.fails')
      .executeTakeFirstOrThrow();
    expect(row.last_error).toBe('reminder service down');
  });

  it('wait one interval before the first run when asked to', async () => {
    let runs = 0;
    const task = {
      name: 'test.later',
      everyMinutes: 60,
      firstRunAfterInterval: true,
      run: async () => void runs++,
    };
    expect(await runTaskIfDue(database.db, task)).toBe(false);
    expect(runs).toBe(0);
    await database.db
      .updateTable('scheduled_tasks')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('name', '=', 'test.later')
      .execute();
    expect(await runTaskIfDue(database.db, task)).toBe(true);
    expect(runs).toBe(1);
  });

  it('can vacuum the database (the embedded database has no autovacuum)', async () => {
    await sql`vacuum (analyze) scheduled_tasks`.execute(database.db);
  });
});
