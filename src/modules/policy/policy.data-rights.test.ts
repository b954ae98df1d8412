import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { tablesText } from '../../../test/db.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { describeSubject } from '../../platform/data-rights.ts';
import type { Actor, RoleGrant } from '../../platform/permissions.ts';
import { policyDataRights } from './index.ts';
import { createQuestions } from './policy.questions.ts';
import { createSafety } from './policy.safety.ts';
import { createStaff } from './policy.staff.ts';

let ctx: TestContext;
let questions: ReturnType<typeof createQuestions>;
let staff: ReturnType<typeof createStaff>;
let safety: ReturnType<typeof createSafety>;
beforeAll(async () => {
  ctx = await buildTestApp();
  safety = createSafety({ db: ctx.db, baseUrl: 'http://cln.test' });
  staff = createStaff({ db: ctx.db });
  questions = createQuestions({ db: ctx.db, baseUrl: 'http://cln.test', safety });
});
afterAll(async () => {
  await ctx?.close();
});

const TABLES = [
  'policy_staff',
  'policy_responses',
  'policy_answers',
  'policy_theme_assignments',
  'policy_assignment_history',
  'policy_response_challenges',
  'policy_questions',
  'policy_question_supports',
  'policy_safety_concerns',
] as const;

const moduleText = () => tablesText(ctx.db, TABLES);

async function person(name: string, roles: RoleGrant[]): Promise<Actor> {
  const u = await createUser(ctx, roles, { name });
  return { userId: u.id, name: u.name, email: u.email, roles: u.roles, ip: null, requestId: null };
}
const member = (name: string) => person(name, [{ role: 'member', regionCode: 'Q35' }]);

describe('policy data rights', () => {
  it('exports the person’s responses, questions, supports, challenges, concerns and staff record, and erases them by the convention', async () => {
    const pm = await person('Pat Policymaker', [{ role: 'policy-maker', regionCode: null }]);
    await staff.saveOwnRole(pm, { roleTitle: 'Deputy Director, Workforce, DHSC' });
    const subject = await member('Zed Quillasker');
    const other = await member('Bea Bystander');

    // Questions: one answered to the network (kept without who asked), one private, one open that
    // another member supports, one flagged as a safety concern; and one of another member they support.
    const answered = await questions.askQuestion(subject, {
      title: 'Asked-zq answered network question',
      body: 'Body-zq answered',
      visibility: 'network',
      safetyConcern: false,
    });
    await questions.supportQuestion(other, answered);
    await questions.answerQuestion(pm, answered, { answer: 'The answer the network relies on' });
    const privateQ = await questions.askQuestion(subject, {
      title: 'Asked-zq private question',
      body: 'Body-zq private',
      visibility: 'private',
      safetyConcern: false,
    });
    const openQ = await questions.askQuestion(subject, {
      title: 'Asked-zq open question',
      body: 'Body-zq open',
      visibility: 'network',
      safetyConcern: false,
    });
    await questions.supportQuestion(other, openQ);
    const flagged = await questions.askQuestion(subject, {
      title: 'Asked-zq safety question',
      body: 'Body-zq safety',
      visibility: 'private',
      safetyConcern: true,
    });
    const othersQ = await questions.askQuestion(other, {
      title: 'Another member’s question',
      body: 'Theirs',
      visibility: 'network',
      safetyConcern: false,
    });
    await questions.supportQuestion(subject, othersQ);

    // A submitted response (text and a choice) with a theme excerpt, its history and a challenge;
    // a draft response to another call; a safety concern raised in the response.
    const { callId, questionIds } = await seedCall(ctx.db, {
      ownerUserId: pm.userId,
      questions: [
        { kind: 'text', prompt: 'What would help?' },
        { kind: 'single', prompt: 'Do you agree?', options: ['Yes', 'No'] },
      ],
    });
    const responseId = await seedResponse(ctx.db, {
      callId,
      userId: subject.userId,
      answers: { [questionIds[0]!]: 'Answer-zq in my own words', [questionIds[1]!]: ['Yes'] },
    });
    await seedResponse(ctx.db, {
      callId,
      userId: other.userId,
      answers: { [questionIds[0]!]: 'The bystander’s answer', [questionIds[1]!]: ['No'] },
    });
    const theme = await ctx.db
      .insertInto('policy_themes')
      .values({
        call_id: callId,
        question_id: questionIds[0]!,
        name: 'Staffing',
        description: null,
        merged_into_id: null,
        created_by: pm.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const assignment = await ctx.db
      .insertInto('policy_theme_assignments')
      .values({
        theme_id: theme.id,
        response_id: responseId,
        question_id: questionIds[0]!,
        excerpt: 'Excerpt-zq own words',
        sentiment: 'agree',
        assigned_by: pm.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.db
      .insertInto('policy_assignment_history')
      .values({
        assignment_id: assignment.id,
        action: 'assign',
        details: JSON.stringify({ excerpt: 'Excerpt-zq own words' }),
        changed_by: pm.userId,
      })
      .execute();
    await ctx.db
      .insertInto('policy_response_challenges')
      .values({ response_id: responseId, body: 'Challenge-zq misses my point' })
      .execute();
    const { callId: otherCall, questionIds: otherQuestions } = await seedCall(ctx.db, {
      ownerUserId: pm.userId,
      status: 'open',
    });
    await seedResponse(ctx.db, {
      callId: otherCall,
      userId: subject.userId,
      status: 'draft',
      answers: { [otherQuestions[0]!]: 'Draft-zq unfinished' },
    });
    await ctx.db.transaction().execute((trx) =>
      safety.raiseSafetyConcern(trx, {
        responseId,
        userId: subject.userId,
        summary: 'Concern-zq in a response',
      }),
    );

    // Download.
    const described = await describeSubject(ctx.db, [policyDataRights], subject.userId);
    expect(described.entities).toContainEqual({ type: 'policy_question', id: String(answered) });
    expect(described.entities).toContainEqual({ type: 'policy_response', id: String(responseId) });
    const sections = await policyDataRights.exportFor(ctx.db, described);
    const byKey = Object.fromEntries(sections.map((s) => [s.key, s.records]));
    expect(byKey.policyResponses).toHaveLength(2);
    expect(byKey.policyResponses![0]!.answers).toEqual([
      'What would help?: Answer-zq in my own words',
      'Do you agree?: Yes',
    ]);
    expect(byKey.policyChallenges).toEqual([
      expect.objectContaining({ said: 'Challenge-zq misses my point' }),
    ]);
    expect(byKey.policyQuestions!.map((q) => q.title)).toEqual([
      'Asked-zq answered network question',
      'Asked-zq private question',
      'Asked-zq open question',
      'Asked-zq safety question',
    ]);
    expect(byKey.policyQuestions![0]).toMatchObject({
      answeredAs: 'Deputy Director, Workforce, DHSC',
      supporters: 1,
    });
    expect(byKey.policyQuestionSupports).toEqual([
      expect.objectContaining({ question: 'Another member’s question' }),
    ]);
    expect(byKey.policySafetyConcerns!.map((c) => c.summary).sort()).toEqual([
      'Asked-zq safety question',
      'Concern-zq in a response',
    ]);
    expect(byKey.policyStaff).toEqual([]);
    const pmSections = await policyDataRights.exportFor(
      ctx.db,
      await describeSubject(ctx.db, [policyDataRights], pm.userId),
    );
    expect(pmSections.find((s) => s.key === 'policyStaff')!.records).toEqual([
      expect.objectContaining({ namedRole: 'Deputy Director, Workforce, DHSC', safetyLead: false }),
    ]);

    // Erasure.
    await ctx.db.transaction().execute((trx) => policyDataRights.erase(trx, described));
    const after = await moduleText();
    for (const s of [
      'Draft-zq',
      'Answer-zq',
      'Excerpt-zq',
      'Challenge-zq',
      'Concern-zq',
      'Asked-zq private',
      'Asked-zq open',
      'Asked-zq safety',
    ])
      expect(after, s).not.toContain(s);
    // The answered network question stays, without who asked, still found by its words.
    const kept = await ctx.db
      .selectFrom('policy_questions')
      .selectAll()
      .where('id', '=', answered)
      .executeTakeFirstOrThrow();
    expect(kept).toMatchObject({
      user_id: null,
      status: 'answered',
      supports: 1,
      answered_role: 'Deputy Director, Workforce, DHSC',
    });
    const found =
      await sql`select id from policy_questions where search @@ websearch_to_tsquery('english', 'relies')`.execute(
        ctx.db,
      );
    expect(found.rows).toEqual([{ id: answered }]);
    for (const id of [privateQ, openQ, flagged])
      expect(await ctx.db.selectFrom('policy_questions').select('id').where('id', '=', id).execute()).toEqual(
        [],
      );
    // Their support of another's question goes, and the count with it.
    expect(
      (
        await ctx.db
          .selectFrom('policy_questions')
          .select('supports')
          .where('id', '=', othersQ)
          .executeTakeFirstOrThrow()
      ).supports,
    ).toBe(0);
    expect(
      await ctx.db
        .selectFrom('policy_question_supports')
        .select('question_id')
        .where('user_id', '=', subject.userId)
        .execute(),
    ).toEqual([]);
    // The submitted response stays counted (its theme, its choice), without their words; the draft goes.
    const responses = await ctx.db
      .selectFrom('policy_responses')
      .select(['id', 'status'])
      .where('user_id', '=', subject.userId)
      .execute();
    expect(responses).toEqual([{ id: responseId, status: 'submitted' }]);
    const answers = await ctx.db
      .selectFrom('policy_answers')
      .select(['text_value', 'choice_values'])
      .where('response_id', '=', responseId)
      .orderBy('question_id')
      .execute();
    expect(answers).toEqual([
      { text_value: null, choice_values: [] },
      { text_value: null, choice_values: ['Yes'] },
    ]);
    const assigned = await ctx.db
      .selectFrom('policy_theme_assignments')
      .select(['excerpt', 'removed_at'])
      .where('id', '=', assignment.id)
      .executeTakeFirstOrThrow();
    expect(assigned).toEqual({ excerpt: null, removed_at: null });
    expect(
      await ctx.db
        .selectFrom('policy_safety_concerns')
        .select('id')
        .where('raised_by', '=', subject.userId)
        .execute(),
    ).toEqual([]);
    // The other member's response and question are untouched.
    expect(after).toContain('The bystander’s answer');
    expect(after).toContain('Another member’s question');

    // A policy maker's staff record goes; the role that answered stays on the answer, as the office.
    await ctx.db
      .transaction()
      .execute(async (trx) =>
        policyDataRights.erase(trx, await describeSubject(trx, [policyDataRights], pm.userId)),
      );
    expect(
      await ctx.db.selectFrom('policy_staff').select('user_id').where('user_id', '=', pm.userId).execute(),
    ).toEqual([]);
    expect(
      (
        await ctx.db
          .selectFrom('policy_questions')
          .select('answered_role')
          .where('id', '=', answered)
          .executeTakeFirstOrThrow()
      ).answered_role,
    ).toBe('Deputy Director, Workforce, DHSC');
  });
});
