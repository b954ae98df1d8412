import { z } from 'zod';
import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addDays, londonDate } from '../../platform/dates.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, ValidationError } from '../../platform/errors.ts';
import { enqueueEmails, type OutgoingEmail } from '../../platform/outbox.ts';
import type { Actor } from '../../platform/permissions.ts';
import { listFormerMembers, listOrganisationMembers, listOrganisationsByIds } from '../members/index.ts';
import { listSponsorsOf } from '../recruitment/index.ts';
import type { KnowledgeAccess } from './knowledge.access.ts';
import * as repo from './knowledge.freshness.repository.ts';
import type { KnowledgeItemRow } from './knowledge.table.ts';

/**
 * True when a published item is past its review-by date (the owner has not confirmed it since):
 * search ranks stale items lower and pages show a "Review due" tag. `today` is a London date,
 * YYYY-MM-DD.
 */
export function isStale(row: Pick<KnowledgeItemRow, 'status' | 'review_by'>, today: string): boolean {
  return row.status === 'published' && row.review_by !== null && row.review_by < today;
}

/** How long a confirmation lasts when the owner names no date: a year. */
export const DEFAULT_REVIEW_DAYS = 365;
const MAX_REVIEW_DAYS = 5 * 366;

export const confirmInput = z.strictObject({
  reviewBy: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : (v ?? null)),
    z.iso.date({ error: 'Enter the next review date as a real date, like 2028-03-01' }).nullable(),
  ),
});
export type ConfirmInput = z.output<typeof confirmInput>;

/**
 * Freshness: owners confirm their items are still current (which sets reviewed-on to today and a new
 * review-by date); at an item's review-by date its owner is asked to, once per date; and when an
 * item's contact has left the network, its organisations' sponsors (or, with no sponsor on record,
 * its members) are asked for a new contact, once. Both jobs are safe to run from any number of
 * processes: the rows they act on are locked and marked in the transaction that sends the emails.
 */
export function createFreshness(deps: { db: DB; access: KnowledgeAccess; baseUrl: string }) {
  const { db, access, baseUrl } = deps;
  const itemUrl = (id: number) => `${baseUrl}/knowledge/items/${id}`;

  async function confirmCurrent(actor: Actor, itemId: number, input: ConfirmInput, today = londonDate()) {
    const reviewBy = input.reviewBy ?? addDays(today, DEFAULT_REVIEW_DAYS);
    if (reviewBy <= today)
      throw new ValidationError([{ field: 'reviewBy', message: 'The next review date must be after today' }]);
    if (reviewBy > addDays(today, MAX_REVIEW_DAYS))
      throw new ValidationError([
        { field: 'reviewBy', message: 'The next review date must be within five years' },
      ]);
    await db.transaction().execute(async (trx) => {
      const { item } = await access.loadItemToManage(actor, itemId, trx);
      if (item.status !== 'published')
        throw new ConflictError('Only a published item can be confirmed as current');
      await repo.confirmItem(trx, itemId, today, reviewBy);
      await recordAudit(trx, actor, {
        action: 'knowledge.item.confirm',
        entityType: 'knowledge_item',
        entityId: itemId,
        summary: `Confirmed item ${itemId} is still current: reviewed on ${today}, next review by ${reviewBy}`,
      });
    });
    return { itemId, reviewedOn: today, reviewBy };
  }

  /** The item, for its owner or the national team to confirm. */
  async function getForConfirm(actor: Actor, itemId: number, today = londonDate()) {
    const { item } = await access.loadItemToManage(actor, itemId);
    return {
      item: {
        id: item.id,
        title: item.title,
        status: item.status,
        reviewedOn: item.reviewed_on,
        reviewBy: item.review_by,
      },
      stale: isStale(item, today),
      suggested: addDays(today, DEFAULT_REVIEW_DAYS),
    };
  }

  /** Asks owners of items at their review-by date to confirm them; returns how many were asked. */
  async function sendReviewReminders(today = londonDate(), batch = 200): Promise<number> {
    let asked = 0;
    for (;;) {
      const n = await db.transaction().execute(async (trx) => {
        const due = await repo.claimItemsDueForReview(trx, today, batch);
        const emails: OutgoingEmail[] = due
          .filter((d) => d.owner_email && !d.disabled_at)
          .map((d) =>
            letter({
              to: d.owner_email!,
              name: d.owner_name,
              subject: `Is “${d.title}” still current?`,
              kind: 'knowledge.review-due',
              body: [
                `Your item “${d.title}” in the knowledge library was due for review on ${d.review_by}.`,
                'If it is still current, confirm it: readers see it as up to date again, and search ranks it as it should. If it needs changes, edit it first.',
                { text: 'Confirm or edit it here:', link: itemUrl(d.id) },
              ],
            }),
          );
        await enqueueEmails(trx, emails);
        await repo.markReviewAsked(
          trx,
          due.map((d) => d.id),
        );
        return due.length;
      });
      asked += n;
      if (n < batch) return asked;
    }
  }

  /** Asks for a new contact for items whose contact has left the network; returns how many items. */
  async function askForNewContacts(batch = 500): Promise<number> {
    let asked = 0;
    let after = 0;
    for (;;) {
      const contacts = await repo.listContactsToCheck(db, after, batch);
      if (!contacts.length) return asked;
      after = contacts[contacts.length - 1]!;
      const former = await listFormerMembers(db, contacts);
      if (!former.length) continue;
      asked += await db.transaction().execute(async (trx) => {
        const items = await repo.claimItemsWithContacts(trx, former);
        const emails: OutgoingEmail[] = [];
        for (const item of items) {
          const gone =
            item.contact_user_id === null ? null : await repo.findUserName(trx, item.contact_user_id);
          for (const organisation of await listOrganisationsByIds(trx, item.organisation_ids)) {
            const members = (await listOrganisationMembers(trx, organisation.id)).filter(
              (m) => m.userId !== item.contact_user_id,
            );
            const sponsors = await listSponsorsOf(
              trx,
              members.map((m) => m.userId),
            );
            const to = sponsors.length ? sponsors : members;
            for (const person of to)
              emails.push(
                letter({
                  to: person.email,
                  name: person.name,
                  subject: `A new contact for “${item.title}”`,
                  kind: 'knowledge.contact-left',
                  body: [
                    `${gone?.name ?? 'The contact'} for “${item.title}”, which names ${organisation.name}, has left the Clinical Leaders Network, so readers have no one to ask about it.`,
                    sponsors.length
                      ? `As a sponsor at ${organisation.name}, could you suggest a colleague who knows the work? They can reply to the library’s national team.`
                      : `No sponsor at ${organisation.name} is on record, so we are asking its members: if you know the work, offer to be its contact.`,
                    { text: 'The item:', link: itemUrl(item.id) },
                  ],
                }),
              );
          }
          await repo.markContactAsked(trx, item.id);
        }
        await enqueueEmails(trx, emails);
        return items.length;
      });
    }
  }

  return { getForConfirm, confirmCurrent, sendReviewReminders, askForNewContacts };
}
export type KnowledgeFreshness = ReturnType<typeof createFreshness>;
