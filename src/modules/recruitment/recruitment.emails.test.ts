import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { SIGN_OFF } from '../../platform/emails.ts';
import type { Actor } from '../../platform/permissions.ts';
import { buildSubmission } from './recruitment.factories.ts';
import { createRecruitmentService, type RecruitmentService } from './recruitment.service.ts';

let ctx: TestContext;
let recruitment: RecruitmentService;
beforeAll(async () => {
  ctx = await buildTestApp();
  recruitment = createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });
});
afterAll(async () => {
  await ctx?.close();
});

const anon = { userId: null, label: 'test', ip: null, requestId: null };
const DAY = 86_400_000;

async function actorWith(roles: Actor['roles']): Promise<Actor> {
  const u = await createUser(ctx, roles);
  return { userId: u.id, name: u.name, email: u.email, roles, ip: null, requestId: null };
}

async function linkTo(to: string, kind: string, path: 'application' | 'endorse') {
  const mail = await ctx.db
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', to)
    .where('kind', '=', kind)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return new RegExp(`/${path}/([A-Za-z0-9_-]+)`).exec(mail.body_text)![1]!;
}

describe('recruitment emails', () => {
  it('are all laid out by the one template: "Dear <name>," first, the sign-off last', async () => {
    const names = new Map<string, string>();
    const submit = async (overrides: Parameters<typeof buildSubmission>[0] = {}) => {
      const input = buildSubmission(overrides);
      names.set(input.email, `${input.givenName} ${input.familyName}`);
      names.set(input.sponsorEmail, input.sponsorName);
      return { input, created: await recruitment.submitApplication(input, anon) };
    };

    const first = await submit();
    const code = first.created.regionCode;
    await ctx.db
      .updateTable('network_regions')
      .set({ recruitment_target: 10 })
      .where('code', '=', code)
      .execute();
    const lead = await actorWith([{ role: 'regional-lead', regionCode: code }]);
    const national = await actorWith([{ role: 'national', regionCode: null }]);
    names.set(lead.email, lead.name);

    // Apply, endorse, offer, accept (a new account: the invitation to set a password).
    await recruitment.respondToEndorsement(
      await linkTo(first.input.sponsorEmail, 'endorsement.request', 'endorse'),
      { endorse: 'yes' },
      anon,
    );
    await recruitment.decide(lead, first.created.id, { decision: 'offer' });
    await recruitment.acceptOffer(await linkTo(first.input.email, 'application.offer', 'application'), anon);

    // Accepting with an existing account: the note to sign in.
    const existing = await createUser(ctx, [], { name: 'Amina Existing' });
    const joiner = await submit({ email: existing.email, familyName: 'Existing' });
    await recruitment.decide(lead, joiner.created.id, { decision: 'offer' });
    await recruitment.acceptOffer(await linkTo(existing.email, 'application.offer', 'application'), anon);

    // The applicant withdraws; the team shortlists, waitlists, declines and withdraws.
    const withdrawer = await submit();
    await recruitment.withdrawByApplicant(withdrawer.created.statusToken, anon);
    const declined = await submit();
    await recruitment.decide(lead, declined.created.id, { decision: 'shortlist' });
    await recruitment.decide(lead, declined.created.id, { decision: 'waitlist' });
    await recruitment.decide(lead, declined.created.id, { decision: 'decline', reason: 'Not this year' });
    const removed = await submit();
    await recruitment.decide(lead, removed.created.id, { decision: 'withdraw', reason: 'Duplicate' });

    // A silent sponsor is reminded; an offer not accepted lapses.
    const silent = await submit();
    const lapsing = await submit();
    await recruitment.decide(lead, lapsing.created.id, { decision: 'offer' });
    await ctx.db
      .updateTable('endorsements')
      .set({ last_sent_at: new Date(Date.now() - 4 * DAY) })
      .where('application_id', '=', silent.created.id)
      .execute();
    expect(await recruitment.sendSponsorReminders()).toBeGreaterThan(0);
    expect(await recruitment.expireOffers(new Date(Date.now() + 30 * DAY))).toBeGreaterThanOrEqual(1);

    // A request for more places, and its answer with a note.
    const request = await recruitment.requestQuota(lead, code, {
      requestedQuota: 20,
      reason: 'Strong field',
    });
    await recruitment.decideQuotaRequest(national, request, { outcome: 'approve', note: 'Agreed' });

    const mails = await ctx.db
      .selectFrom('outbox')
      .select(['to_address', 'kind', 'body_text'])
      .where('to_address', 'in', [...names.keys()])
      .orderBy('id')
      .execute();
    expect(new Set(mails.map((m) => m.kind))).toEqual(
      new Set([
        'application.acknowledgement',
        'endorsement.request',
        'endorsement.reminder',
        'application.shortlist',
        'application.offer',
        'application.waitlist',
        'application.decline',
        'application.withdraw',
        'application.withdrawn',
        'application.offer-lapse',
        'application.joined',
        'account.invite',
        'quota.decision',
      ]),
    );
    for (const m of mails) {
      const text = m.body_text;
      expect(text.startsWith(`Dear ${names.get(m.to_address)},\n\n`), `${m.kind}: ${text}`).toBe(true);
      expect(text.endsWith(`\n\n${SIGN_OFF}`), `${m.kind}: ${text}`).toBe(true);
      // Each link stands on a line of its own.
      for (const line of text.split('\n').filter((l) => l.includes('http')))
        expect(line, m.kind).toMatch(/^https?:\/\/\S+$/);
    }
  });
});
