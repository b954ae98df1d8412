import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import { liveThemes } from './policy.outcomes.repository.ts';

// The SQL of a call's exports: its non-confidential responses with their answers, and the quotes
// of its response document. A confidential response never leaves here.

/** Submitted responses of the call that are not confidential, oldest first. */
function exportableResponses(x: Executor, callId: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .leftJoin('organisations as o', 'o.id', 'r.on_behalf_of_organisation_id')
    .leftJoin('specialties as s', 's.id', 'r.specialty_id')
    .where('r.call_id', '=', callId)
    .where('r.status', '=', 'submitted')
    .where('r.confidential', '=', false);
}

export function countExportableResponses(x: Executor, callId: number) {
  return exportableResponses(x, callId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
}

export function listExportableResponses(x: Executor, callId: number, limit: number, offset: number) {
  return exportableResponses(x, callId)
    .select([
      'r.id',
      'r.submitted_at',
      'u.name',
      'o.name as on_behalf_of',
      'r.region_code',
      'r.profession',
      's.name as specialty',
      'r.setting',
    ])
    .orderBy('r.submitted_at')
    .orderBy('r.id')
    .limit(limit)
    .offset(offset)
    .execute();
}

export function listAnswers(x: Executor, responseIds: number[]) {
  if (!responseIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_answers')
    .select(['response_id', 'question_id', 'text_value', 'choice_values', 'scale_value'])
    .where('response_id', 'in', responseIds)
    .execute();
}

/**
 * Quotes for the response document: excerpts (or the start of the answer) counted under each live
 * theme (or a theme merged into it), from non-confidential submitted responses only, evidence-rich
 * ones first, a few a theme.
 */
export function listQuotes(x: Executor, callId: number, perTheme: number) {
  return liveThemes(x, callId)
    .selectFrom((eb) =>
      eb
        .selectFrom('policy_theme_assignments as a')
        .innerJoin('live as l', 'l.theme_id', 'a.theme_id')
        .innerJoin('policy_responses as r', 'r.id', 'a.response_id')
        .leftJoin('policy_answers as an', (j) =>
          j.onRef('an.response_id', '=', 'a.response_id').onRef('an.question_id', '=', 'a.question_id'),
        )
        .where('a.removed_at', 'is', null)
        .where('r.status', '=', 'submitted')
        .where('r.confidential', '=', false)
        .select([
          'l.live_id as theme_id',
          sql<string>`coalesce(nullif(trim(a.excerpt), ''), left(an.text_value, 400))`.as('quote'),
          sql<number>`row_number() over (partition by l.live_id order by a.evidence_rich desc, a.id)`.as('n'),
        ])
        .as('q'),
    )
    .selectAll()
    .where('q.n', '<=', perTheme)
    .where('q.quote', 'is not', null)
    .orderBy('q.theme_id')
    .orderBy('q.n')
    .limit(2000)
    .execute();
}
