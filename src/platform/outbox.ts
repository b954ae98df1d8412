import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DB, Executor } from '../db/database.ts';

export type OutgoingEmail = { to: string; subject: string; text: string; kind: string };

/**
 * Queues an email. Call it with the transaction that makes the change the email reports, so a
 * rolled-back change never sends mail and a committed one always does.
 */
export async function enqueueEmail(executor: Executor, email: OutgoingEmail): Promise<void> {
  await enqueueEmails(executor, [email]);
}

/** Queues several emails in one statement (a scheduled task's batch), as enqueueEmail does one. */
export async function enqueueEmails(executor: Executor, emails: OutgoingEmail[]): Promise<void> {
  if (!emails.length) return;
  await executor
    .insertInto('outbox')
    .values(emails.map((e) => ({ to_address: e.to, subject: e.subject, body_text: e.text, kind: e.kind })))
    .execute();
}

export type OutboxMessage = {
  id: number;
  createdAt: Date;
  to: string;
  subject: string;
  text: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
};

export async function listOutbox(
  executor: Executor,
  f: { to?: string; status?: string; page: number; pageSize: number },
): Promise<{ rows: OutboxMessage[]; total: number }> {
  let q = executor.selectFrom('outbox');
  if (f.to) q = q.where('to_address', '=', f.to.toLowerCase());
  if (f.status) q = q.where('status', '=', f.status as 'pending');
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { total: Number(count.n), rows: rows.map(presentMessage) };
}

export async function findOutboxMessage(executor: Executor, id: number): Promise<OutboxMessage | undefined> {
  const row = await executor.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row && presentMessage(row);
}

function presentMessage(r: {
  id: number;
  created_at: Date;
  to_address: string;
  subject: string;
  body_text: string;
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}): OutboxMessage {
  return {
    id: Number(r.id),
    createdAt: r.created_at,
    to: r.to_address,
    subject: r.subject,
    text: r.body_text,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    sentAt: r.sent_at,
  };
}

const MAX_ATTEMPTS = 8;
const LEASE = '5 minutes';

/**
 * Claims due messages by pushing their next attempt past a lease, under SKIP LOCKED, so any number
 * of processes can deliver without sending one message twice. The SMTP conversation happens
 * outside any transaction: a slow mail server never holds database locks.
 */
export async function claimDueMessages(db: DB, limit = 10): Promise<OutboxMessage[]> {
  const result = await sql<{
    id: number;
    created_at: Date;
    to_address: string;
    subject: string;
    body_text: string;
    kind: string;
    status: string;
    attempts: number;
    last_error: string | null;
    sent_at: Date | null;
  }>`
    update outbox set attempts = attempts + 1, next_attempt_at = now() + ${LEASE}::interval
    where id in (
      select id from outbox where status = 'pending' and next_attempt_at <= now()
      order by id limit ${limit} for update skip locked)
    returning *`.execute(db);
  return result.rows.map(presentMessage);
}

export async function markSent(db: DB, id: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: new Date(), last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markFailedAttempt(db: DB, message: OutboxMessage, error: string): Promise<void> {
  const giveUp = message.attempts >= MAX_ATTEMPTS;
  // Exponential back-off: 1, 2, 4 ... minutes between attempts.
  const delayMinutes = 2 ** Math.max(0, message.attempts - 1);
  await db
    .updateTable('outbox')
    .set({
      status: giveUp ? 'failed' : 'pending',
      last_error: error.slice(0, 1000),
      next_attempt_at: sql`now() + ${`${delayMinutes} minutes`}::interval`,
    })
    .where('id', '=', message.id)
    .execute();
}

export type OutboxSender = { deliverDue(): Promise<number>; stop(): Promise<void> };

/** Delivers queued mail over SMTP every few seconds until stopped. */
export function startOutboxSender(opts: {
  db: DB;
  smtpUrl: string;
  from: string;
  intervalMs?: number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}): OutboxSender {
  const transport: Transporter = nodemailer.createTransport(opts.smtpUrl);
  let running: Promise<number> | null = null;
  let stopped = false;

  async function deliverDue(): Promise<number> {
    let sent = 0;
    for (const message of await claimDueMessages(opts.db)) {
      try {
        await transport.sendMail({
          from: opts.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
        });
        await markSent(opts.db, message.id);
        sent++;
      } catch (err) {
        opts.log.warn({ outboxId: message.id, err: String(err) }, 'email delivery failed; will retry');
        await markFailedAttempt(opts.db, message, err instanceof Error ? err.message : String(err));
      }
    }
    return sent;
  }

  const timer = setInterval(() => {
    if (running || stopped) return;
    running = deliverDue()
      .catch((err) => {
        opts.log.warn({ err: String(err) }, 'outbox delivery round failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
  }, opts.intervalMs ?? 5000);
  timer.unref();

  return {
    deliverDue,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
      transport.close();
    },
  };
}
