import type { DB } from '../src/db/database.ts';
import type { CallKind, CallStatus, QuestionKind } from '../src/modules/policy/index.ts';

/**
 * Calls and responses written straight to the tables, for the tests of the parts of the policy
 * channel that come after a call has been answered (analysis, outcomes, the ledger). Journeys and
 * the authorisation matrix go through the pages and API instead.
 */

export type FixtureQuestion = {
  kind?: QuestionKind;
  prompt?: string;
  options?: string[];
  maxLength?: number;
  scaleMin?: number;
  scaleMax?: number;
};

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** A call owned by the given policy maker, with its questions; closed a week ago unless told. */
export async function seedCall(
  db: DB,
  opts: {
    ownerUserId: number;
    title?: string;
    kind?: CallKind;
    status?: CallStatus;
    opensOn?: string;
    closesOn?: string;
    responseDueOn?: string;
    isPublic?: boolean;
    audienceRegions?: string[];
    questions?: FixtureQuestion[];
  },
) {
  const closesOn = opts.closesOn ?? day(-7);
  const call = await db
    .insertInto('policy_calls')
    .values({
      kind: opts.kind ?? 'consultation',
      title: opts.title ?? 'Urgent care at the front door',
      summary: 'How should urgent care be organised at the front door of emergency departments?',
      background: null,
      status: opts.status ?? 'closed',
      opens_on: opts.opensOn ?? day(-30),
      closes_on: closesOn,
      response_due_on:
        opts.responseDueOn ?? new Date(Date.parse(closesOn) + 84 * 86_400_000).toISOString().slice(0, 10),
      response_due_reason: null,
      is_public: opts.isPublic ?? false,
      audience_regions: opts.audienceRegions ?? [],
      audience_professions: [],
      audience_specialty_ids: [],
      audience_intake_id: null,
      owner_user_id: opts.ownerUserId,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  const questions = opts.questions ?? [{ kind: 'text', prompt: 'What would make the biggest difference?' }];
  const questionIds: number[] = [];
  for (const [i, q] of questions.entries()) {
    const row = await db
      .insertInto('policy_call_questions')
      .values({
        call_id: call.id,
        position: i + 1,
        kind: q.kind ?? 'text',
        prompt: q.prompt ?? `Question ${i + 1}`,
        help: null,
        max_length: (q.kind ?? 'text') === 'text' ? (q.maxLength ?? 2000) : null,
        options: q.options ?? [],
        scale_min: q.scaleMin ?? null,
        scale_max: q.scaleMax ?? null,
        scale_min_label: null,
        scale_max_label: null,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    questionIds.push(row.id);
  }
  await db
    .insertInto('policy_call_status_changes')
    .values({
      call_id: call.id,
      from_status: null,
      to_status: opts.status ?? 'closed',
      changed_by: opts.ownerUserId,
      note: 'fixture',
    })
    .execute();
  return { callId: call.id, questionIds };
}

/** A submitted response of the member, answering the call's questions by id (text, choices or a scale). */
export async function seedResponse(
  db: DB,
  opts: {
    callId: number;
    userId: number;
    answers: Record<number, string | string[] | number>;
    confidential?: boolean;
    onBehalfOfOrganisationId?: number | null;
    status?: 'draft' | 'submitted';
    regionCode?: string | null;
    profession?: string | null;
    setting?: string | null;
  },
) {
  const status = opts.status ?? 'submitted';
  const response = await db
    .insertInto('policy_responses')
    .values({
      call_id: opts.callId,
      user_id: opts.userId,
      status,
      on_behalf_of_organisation_id: opts.onBehalfOfOrganisationId ?? null,
      confidential: opts.confidential ?? false,
      region_code: opts.regionCode ?? null,
      profession: opts.profession ?? null,
      specialty_id: null,
      setting: opts.setting ?? null,
      submitted_at: status === 'submitted' ? new Date() : null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  for (const [questionId, value] of Object.entries(opts.answers)) {
    await db
      .insertInto('policy_answers')
      .values({
        response_id: response.id,
        question_id: Number(questionId),
        text_value: typeof value === 'string' ? value : null,
        choice_values: Array.isArray(value) ? value : [],
        scale_value: typeof value === 'number' ? value : null,
      })
      .execute();
  }
  return response.id;
}
