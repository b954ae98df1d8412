import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/db.ts';
import { enqueueEmail, startOutboxSender } from './outbox.ts';

type Received = { to: string[]; data: string };

/** A real SMTP peer on loopback that can be told to refuse mail. */
async function startSmtp() {
  const received: Received[] = [];
  let refuse = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, cb) {
      cb(refuse ? Object.assign(new Error('mailbox unavailable'), { responseCode: 450 }) : undefined);
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    setRefuse(v: boolean) {
      refuse = v;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let database: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const log = { warn: () => undefined, info: () => undefined };

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp?.close();
  await database?.close();
});

describe('the email outbox', () => {
  it('keeps mail with the change that caused it: a rolled-back change sends nothing', async () => {
    const { db } = database;
    await expect(
      db.transaction().execute(async (trx) => {
        await enqueueEmail(trx, { to: 'rollback@nhs.test', subject: 'S', text: 'T', kind: 'test' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const rows = await db
      .selectFrom('outbox')
      .selectAll()
      .where('to_address', '=', 'rollback@nhs.test')
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('delivers queued mail over SMTP once, and retries a refused message later', async () => {
    const { db } = database;
    await enqueueEmail(db, { to: 'first@nhs.test', subject: 'Welcome', text: 'Hello there', kind: 'test' });
    const sender = startOutboxSender({
      db,
      smtpUrl: smtp.url,
      from: 'cln@nhs.test',
      intervalMs: 60_000,
      log,
    });
    try {
      expect(await sender.deliverDue()).toBe(1);
      expect(await sender.deliverDue()).toBe(0);
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]!.to).toEqual(['first@nhs.test']);
      expect(smtp.received[0]!.data).toContain('Subject: Welcome');
      const sent = await db
        .selectFrom('outbox')
        .selectAll()
        .where('to_address', '=', 'first@nhs.test')
        .executeTakeFirstOrThrow();
      expect(sent.status).toBe('sent');

      smtp.setRefuse(true);
      await enqueueEmail(db, { to: 'later@nhs.test', subject: 'Retry me', text: 'x', kind: 'test' });
      expect(await sender.deliverDue()).toBe(0);
      const failed = await db
        .selectFrom('outbox')
        .selectAll()
        .where('to_address', '=', 'later@nhs.test')
        .executeTakeFirstOrThrow();
      expect(failed.status).toBe('pending');
      expect(failed.attempts).toBe(1);
      expect(failed.last_error).toContain('mailbox unavailable');
      expect(failed.next_attempt_at.getTime()).toBeGreaterThan(Date.now());

      smtp.setRefuse(false);
      await db
        .updateTable('outbox')
        .set({ next_attempt_at: new Date(Date.now() - 1000) })
        .where('id', '=', failed.id)
        .execute();
      expect(await sender.deliverDue()).toBe(1);
      expect(smtp.received.map((r) => r.to[0])).toEqual(['first@nhs.test', 'later@nhs.test']);
    } finally {
      await sender.stop();
    }
  });
});
