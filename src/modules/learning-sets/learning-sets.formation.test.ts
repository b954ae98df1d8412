import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Agent,
  followRefresh,
  buildTestApp,
  createUser,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { ConflictError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { createMemberProfile } from '../members/index.ts';
import { createLearningSetsService, type LearningSetsService } from './index.ts';
import type { FormationInput } from './learning-sets.schemas.ts';

// Forming sets reads and solves outside any transaction, then writes in one short transaction that
// locks the cohort and re-checks what the solve read. These tests race two formations for one
// cohort (through the service and through the pages) and change the data between solve and write.

const REGION = 'Q36';
let ctx: TestContext;
let sets: LearningSetsService;
let intakeId: number;
let lead1: Actor;
let lead2: Actor;
let facilitatorId: number;
const leadEmails: string[] = [];

const actorOf = (u: { id: number; name: string; email: string }, region: string): Actor => ({
  userId: u.id,
  name: u.name,
  email: u.email,
  roles: [{ role: 'regional-lead', regionCode: region }],
  ip: null,
  requestId: null,
});

async function addMember(i: number) {
  const user = await createUser(ctx, [{ role: 'member', regionCode: REGION }], {
    name: `Cohort Member ${String(i).padStart(2, '0')}`,
  });
  await ctx.db.transaction().execute((trx) =>
    createMemberProfile(
      trx,
      {
        userId: user.id,
        regionCode: REGION,
        intakeId,
        profession: ['doctor', 'nurse', 'pharmacist'][i % 3]!,
        jobTitle: i % 2 ? 'Consultant' : 'Staff nurse',
      },
      'system',
    ),
  );
  return user;
}

const INPUT: FormationInput = {
  intakeId: 0,
  minSize: 6,
  maxSize: 8,
  sizing: 'equal',
  separateOrganisations: false,
  weightProfession: 3,
  weightOrganisation: 2,
  weightSystem: 1,
  weightSpecialty: 2,
  weightSeniority: 1,
  keepApart: '',
  keepTogether: '',
  seed: 1,
} as FormationInput;

const counts = async () => ({
  formations: (await ctx.db.selectFrom('ls_formations').select('id').execute()).length,
  sets: (await ctx.db.selectFrom('ls_sets').select('id').execute()).length,
  members: (await ctx.db.selectFrom('ls_set_members').select('user_id').execute()).length,
  audits: (
    await ctx.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'learning-sets.formation.create')
      .execute()
  ).length,
});

beforeAll(async () => {
  ctx = await buildTestApp();
  sets = createLearningSetsService({ db: ctx.db, baseUrl: 'http://cln.test', solveTimeMs: 150 });
  intakeId = (
    await ctx.db
      .selectFrom('intakes')
      .select('id')
      .where('region_code', '=', REGION)
      .orderBy('id')
      .executeTakeFirstOrThrow()
  ).id;
  for (let i = 0; i < 14; i++) await addMember(i);
  const [a, b] = [
    await createUser(ctx, [{ role: 'regional-lead', regionCode: REGION }], { name: 'Ada Lead' }),
    await createUser(ctx, [{ role: 'regional-lead', regionCode: REGION }], { name: 'Ben Lead' }),
  ];
  leadEmails.push(a.email, b.email);
  lead1 = actorOf(a, REGION);
  lead2 = actorOf(b, REGION);
  const fac = await createUser(ctx, [{ role: 'facilitator', regionCode: REGION }], { name: 'Fay Facil' });
  facilitatorId = fac.id;
  await sets.saveFacilitator(lead1, REGION, { email: fac.email, maxSets: 2, isLead: true });
});
afterAll(async () => {
  await ctx?.close();
});
beforeEach(async () => {
  await ctx.db.deleteFrom('ls_formations').execute();
  await ctx.db.deleteFrom('audit_log').where('action', '=', 'learning-sets.formation.create').execute();
  await ctx.db
    .updateTable('ls_facilitators')
    .set({ max_sets: 2 })
    .where('user_id', '=', facilitatorId)
    .execute();
});

describe('two formations started at once for one cohort', () => {
  it('through the service: one draft, and a 409 naming it for the other', async () => {
    const input = { ...INPUT, intakeId };
    const results = await Promise.allSettled([
      sets.formSets(lead1, REGION, input),
      sets.formSets(lead2, REGION, input),
    ]);
    const made = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const err = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(err).toBeInstanceOf(ConflictError);
    const id = (made[0] as PromiseFulfilledResult<number>).value;
    expect(err.message).toMatch(
      new RegExp(
        `were formed by (Ada|Ben) Lead at \\d\\d:\\d\\d on .*: open the draft \\(/learning-sets/formations/${id}\\)`,
      ),
    );
    // The refused request wrote nothing: one formation, its two sets with all 14 members, one audit.
    expect(await counts()).toEqual({ formations: 1, sets: 2, members: 14, audits: 1 });

    // Forming again later is refused the same way until the draft is discarded.
    await expect(sets.formSets(lead1, REGION, input)).rejects.toThrow(/open the draft/);
    await sets.discardFormation(lead1, id);
    await expect(sets.formSets(lead2, REGION, input)).resolves.toBeTypeOf('number');
  });

  it('through the pages: one 303 to the draft, one 409 page saying who formed it', async () => {
    const agents = [new Agent(ctx.app), new Agent(ctx.app)];
    for (const [i, a] of agents.entries()) {
      await a.signIn(leadEmails[i]!);
      await a.get(`/learning-sets/regions/${REGION}/form`);
    }
    const form = {
      intakeId: String(intakeId),
      minSize: '6',
      maxSize: '8',
      setCount: '',
      sizing: 'equal',
      weightProfession: '3',
      weightOrganisation: '2',
      weightSystem: '1',
      weightSpecialty: '2',
      weightSeniority: '1',
      keepApart: '',
      keepTogether: '',
      seed: '2',
    };
    const responses = await Promise.all(
      agents.map((a) => a.post(`/learning-sets/regions/${REGION}/form`, form)),
    );
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes).toEqual([303, 409]);
    const refused = responses.find((r) => r.statusCode === 409)!;
    // Refused while the first runs (or, on a fast machine, once its draft exists), naming who.
    expect(visibleText(refused.body)).toMatch(
      /(were formed|are being formed) by (Ada|Ben) Lead,? (who started )?at \d\d:\d\d/,
    );
    // The one accepted goes to the progress page, which lands on the draft once the engine is done.
    const accepted = responses.findIndex((r) => r.statusCode === 303);
    const done = await followRefresh(agents[accepted]!, responses[accepted]!.headers.location as string);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toMatch(/^\/learning-sets\/formations\/\d+$/);
    // The form page links the draft to open.
    const id = (await ctx.db.selectFrom('ls_formations').select('id').executeTakeFirstOrThrow()).id;
    const formPage = await agents[0]!.get(`/learning-sets/regions/${REGION}/form`);
    expect(formPage.body).toContain(`href="/learning-sets/formations/${id}"`);
    expect(visibleText(formPage.body)).toMatch(
      /A cohort has one draft at a time.*Draft sets for .*, formed by (Ada|Ben) Lead/,
    );
    expect(await counts()).toEqual({ formations: 1, sets: 2, members: 14, audits: 1 });
  });
});

describe('what the solve read is checked again when writing', () => {
  it('refuses when a member joins the cohort between solve and write', async () => {
    let joined = '';
    await expect(
      sets.formSets(
        lead1,
        REGION,
        { ...INPUT, intakeId },
        {
          afterSolve: async () => {
            joined = (await addMember(99)).name;
          },
        },
      ),
    ).rejects.toThrow(
      /changed while the sets were being formed \(Cohort Member 99 joined\): form the sets again/,
    );
    expect(joined).toBe('Cohort Member 99');
    expect(await counts()).toEqual({ formations: 0, sets: 0, members: 0, audits: 0 });
    // The new member is in the next formation.
    const id = await sets.formSets(lead1, REGION, { ...INPUT, intakeId });
    expect((await sets.describeFormation(lead1, id)).formation.memberCount).toBe(15);
  });

  it('refuses when the facilitator’s capacity drops between solve and write', async () => {
    await expect(
      sets.formSets(
        lead1,
        REGION,
        { ...INPUT, intakeId },
        {
          afterSolve: async () => {
            await ctx.db
              .updateTable('ls_facilitators')
              .set({ max_sets: 1 })
              .where('user_id', '=', facilitatorId)
              .execute();
          },
        },
      ),
    ).rejects.toThrow(/Fay Facil can no longer take 2 more sets/);
    expect(await counts()).toEqual({ formations: 0, sets: 0, members: 0, audits: 0 });
  });

  it('refuses when another draft is formed between solve and write', async () => {
    let other = 0;
    await expect(
      sets.formSets(
        lead1,
        REGION,
        { ...INPUT, intakeId },
        {
          afterSolve: async () => {
            other = await sets.formSets(lead2, REGION, { ...INPUT, intakeId, seed: 5 });
          },
        },
      ),
    ).rejects.toThrow(/were formed by Ben Lead/);
    expect(other).toBeGreaterThan(0);
    expect((await counts()).formations).toBe(1);
  });

  it('publishing checks capacity against what is published at that moment', async () => {
    const id = await sets.formSets(lead1, REGION, { ...INPUT, intakeId });
    await ctx.db
      .updateTable('ls_facilitators')
      .set({ max_sets: 1 })
      .where('user_id', '=', facilitatorId)
      .execute();
    await expect(sets.publishFormation(lead1, id)).rejects.toThrow(
      /Fay Facil would facilitate 2 of these sets but can take only 1 more/,
    );
    await ctx.db
      .updateTable('ls_facilitators')
      .set({ max_sets: 2 })
      .where('user_id', '=', facilitatorId)
      .execute();
    const published = await Promise.allSettled([
      sets.publishFormation(lead1, id),
      sets.publishFormation(lead2, id),
    ]);
    expect(published.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
    expect(
      ((published.find((p) => p.status === 'rejected') as PromiseRejectedResult).reason as Error).message,
    ).toBe('These sets are already published');
    await expect(sets.formSets(lead1, REGION, { ...INPUT, intakeId })).rejects.toThrow(/already published/);
  });
});

describe('reviewing an action twice at once', () => {
  it('carries it over once', async () => {
    const id = await sets.formSets(lead1, REGION, { ...INPUT, intakeId });
    await sets.publishFormation(lead1, id);
    const set = (await sets.describeFormation(lead1, id)).sets[0]!;
    const session = (date: string) =>
      sets.scheduleSession(lead1, set.id, {
        date,
        startTime: '10:00',
        durationMinutes: 120,
        location: 'Room 1',
        onlineUrl: '',
      } as Parameters<typeof sets.scheduleSession>[2]);
    const first = await session('2026-01-05');
    const second = await session('2026-02-05');
    const actionId = await sets.addAction(lead1, first, {
      ownerUserId: set.members[0]!.userId,
      description: 'Shadow the bed manager',
      dueOn: '2026-02-01',
    });
    const review = () =>
      sets.reviewAction(lead1, actionId, { sessionId: second, status: 'carried-over' } as Parameters<
        typeof sets.reviewAction
      >[2]);
    await Promise.allSettled([review(), review()]);
    const actions = await ctx.db
      .selectFrom('ls_actions')
      .select(['status', 'session_id'])
      .where('set_id', '=', set.id)
      .orderBy('id')
      .execute();
    expect(actions).toEqual([
      { status: 'carried-over', session_id: first },
      { status: 'open', session_id: second },
    ]);
  });
});
