import type { DB } from '../../db/database.ts';
import { londonDate } from '../../platform/dates.ts';
import { letter } from '../../platform/emails.ts';
import { enqueueEmails } from '../../platform/outbox.ts';
import { listOrganisationMembers, listOrganisationsByIds } from '../members/index.ts';
import { listSponsorsOf } from '../recruitment/index.ts';
import * as repo from './knowledge.digests.repository.ts';

/** The month before the one `today` is in: its first day and the first day after it. */
export function previousMonth(today: string): { month: string; next: string; label: string } {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const year = m === 1 ? y - 1 : y;
  const month = m === 1 ? 12 : m - 1;
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  const next = `${y}-${String(m).padStart(2, '0')}-01`;
  const label = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${first}T12:00:00Z`),
  );
  return { month: first, next, label };
}

const WHAT: Record<repo.DigestLine['what'], string> = {
  published: 'New in the library',
  adopted: 'Taken up by your organisation',
  'taken-up': 'Your organisation’s work taken up elsewhere',
};

/**
 * The monthly digest of the library for each organisation's sponsors: what was published naming
 * it, what it took up and where its own work was taken up, last month. Each organisation's digest
 * for a month is made once (its row in knowledge_digests is claimed in the transaction that queues
 * the emails), so the job may run hourly from any number of processes. Sponsors are not members:
 * the titles of public items are named; the rest are counted.
 */
export function createDigests(deps: { db: DB; baseUrl: string }) {
  const { db, baseUrl } = deps;

  async function sendMonthlyDigests(
    today = londonDate(),
  ): Promise<{ organisations: number; emails: number }> {
    const { month, next, label } = previousMonth(today);
    const lines = await repo.listMonthActivity(db, month, next);
    const byOrganisation = new Map<number, repo.DigestLine[]>();
    for (const l of lines)
      byOrganisation.set(l.organisation_id, [...(byOrganisation.get(l.organisation_id) ?? []), l]);
    let organisations = 0;
    let emails = 0;
    for (const [organisationId, happened] of byOrganisation) {
      const sent = await db.transaction().execute(async (trx) => {
        if (!(await repo.claimDigest(trx, organisationId, month, happened.length))) return null;
        const organisation = (await listOrganisationsByIds(trx, [organisationId]))[0];
        if (!organisation) return 0;
        const members = await listOrganisationMembers(trx, organisationId);
        const sponsors = await listSponsorsOf(
          trx,
          members.map((m) => m.userId),
        );
        const body: string[] = [
          `What happened in the knowledge library for ${organisation.name} in ${label}:`,
        ];
        for (const what of ['published', 'adopted', 'taken-up'] as const) {
          const these = happened.filter((h) => h.what === what);
          if (!these.length) continue;
          const named = these.filter((h) => h.visibility === 'public').map((h) => `- ${h.title}`);
          const others = these.length - named.length;
          body.push(
            [
              `${WHAT[what]}: ${these.length}`,
              ...named,
              ...(others ? [`- and ${others} more for members of the network`] : []),
            ].join('\n'),
          );
        }
        const letters = sponsors.map((s) =>
          letter({
            to: s.email,
            name: s.name,
            subject: `The knowledge library in ${label}: ${organisation.name}`,
            kind: 'knowledge.digest',
            body: [
              ...body,
              'You receive this as a sponsor of a member of the Clinical Leaders Network at your organisation.',
              {
                text: 'Your organisation in the library:',
                link: `${baseUrl}/knowledge/organisations/${organisation.odsCode}`,
              },
            ],
          }),
        );
        await enqueueEmails(trx, letters);
        return letters.length;
      });
      if (sent === null) continue;
      organisations++;
      emails += sent;
    }
    return { organisations, emails };
  }

  return { sendMonthlyDigests };
}
export type KnowledgeDigests = ReturnType<typeof createDigests>;
