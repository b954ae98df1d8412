import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { FormationPerson, FormationSettings } from './learning-sets.table.ts';

/** The SQL of the learning-sets data-rights contributor: rows about one person only. */

export async function listMemberships(x: Executor, userId: number) {
  return x
    .selectFrom('ls_set_members as m')
    .innerJoin('ls_sets as s', 's.id', 'm.set_id')
    .innerJoin('ls_formations as f', 'f.id', 'm.formation_id')
    .leftJoin('users as fu', 'fu.id', 's.facilitator_user_id')
    .select([
      's.id as set_id',
      's.name',
      's.region_code',
      'f.status',
      'f.published_at',
      'fu.name as facilitator',
    ])
    .where('m.user_id', '=', userId)
    .orderBy('s.id')
    .execute();
}

export async function listFacilitatedSets(x: Executor, userId: number) {
  return x
    .selectFrom('ls_sets')
    .select(['id as set_id', 'name', 'region_code'])
    .where('facilitator_user_id', '=', userId)
    .orderBy('id')
    .execute();
}

export async function findFacilitator(x: Executor, userId: number) {
  return x
    .selectFrom('ls_facilitators as f')
    .innerJoin('organisations as o', 'o.id', 'f.organisation_id')
    .select([
      'f.region_code',
      'o.name as organisation',
      'f.is_lead',
      'f.max_sets',
      'f.created_at',
      'f.updated_at',
    ])
    .where('f.user_id', '=', userId)
    .executeTakeFirst();
}

/** Sessions of the sets the person belongs to, with their own attendance. */
export async function listSessionsOf(x: Executor, userId: number) {
  return x
    .selectFrom('ls_set_members as m')
    .innerJoin('ls_sets as s', 's.id', 'm.set_id')
    .innerJoin('ls_sessions as se', 'se.set_id', 's.id')
    .leftJoin('ls_attendance as a', (j) => j.onRef('a.session_id', '=', 'se.id').on('a.user_id', '=', userId))
    .select([
      'se.id',
      's.name as set_name',
      'se.starts_at',
      'se.ends_at',
      'se.location',
      'se.online_url',
      'a.status',
      'a.presented',
    ])
    .where('m.user_id', '=', userId)
    .orderBy('se.starts_at')
    .execute();
}

export async function listActionsOf(x: Executor, userId: number) {
  return x
    .selectFrom('ls_actions as a')
    .innerJoin('ls_sets as s', 's.id', 'a.set_id')
    .select([
      'a.id',
      's.name as set_name',
      'a.description',
      'a.due_on',
      'a.status',
      'a.review_note',
      'a.created_at',
      'a.reviewed_at',
    ])
    .where('a.owner_user_id', '=', userId)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
}

/** The facilitator's own notes and returns (their own writing about the sessions they ran). */
export async function listNotesBy(x: Executor, userId: number) {
  return x
    .selectFrom('ls_facilitator_notes as n')
    .innerJoin('ls_sessions as se', 'se.id', 'n.session_id')
    .select(['n.session_id', 'se.starts_at', 'n.body', 'n.updated_at'])
    .where('n.author_user_id', '=', userId)
    .orderBy('se.starts_at')
    .execute();
}

export async function listReturnsBy(x: Executor, userId: number) {
  return x
    .selectFrom('ls_session_returns')
    .select([
      'session_id',
      'session_date',
      'members_count',
      'present_count',
      'apologies_count',
      'absent_count',
      'actions_reviewed',
      'actions_done',
      'themes',
      'submitted_at',
    ])
    .where('submitted_by', '=', userId)
    .orderBy('session_date')
    .execute();
}

export async function listFeeds(x: Executor, userId: number) {
  return x
    .selectFrom('ls_calendar_feeds')
    .select(['token_prefix', 'created_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** Sessions of the sets the person was in: where others' writing about those sessions may name them. */
async function sessionsOfSetsOf(x: Executor, userId: number) {
  const rows = await x
    .selectFrom('ls_set_members as m')
    .innerJoin('ls_sessions as se', 'se.set_id', 'm.set_id')
    .select(['se.id', 'se.set_id'])
    .where('m.user_id', '=', userId)
    .execute();
  return { sessions: rows.map((r) => r.id), sets: [...new Set(rows.map((r) => r.set_id))] };
}

/**
 * Replaces the person's names and addresses in what others wrote about the sessions of their sets
 * (facilitators' notes, returns' themes, other members' actions and review notes). Read only for
 * those sessions, never the whole table.
 */
export async function scrubMentions(x: Executor, userId: number, pattern: string | null, label: string) {
  if (!pattern) return;
  const { sessions, sets } = await sessionsOfSetsOf(x, userId);
  if (!sessions.length) return;
  await sql`update ls_facilitator_notes set body = regexp_replace(body, ${pattern}, ${label}, 'gi')
    where session_id in (${sql.join(sessions)}) and body ~* ${pattern}`.execute(x);
  await sql`update ls_session_returns set themes = regexp_replace(themes, ${pattern}, ${label}, 'gi')
    where session_id in (${sql.join(sessions)}) and themes ~* ${pattern}`.execute(x);
  await sql`update ls_actions set description = regexp_replace(description, ${pattern}, ${label}, 'gi'),
      review_note = regexp_replace(review_note, ${pattern}, ${label}, 'gi')
    where set_id in (${sql.join(sets)}) and (description ~* ${pattern} or review_note ~* ${pattern})`.execute(
    x,
  );
}

/** The formation snapshots that list the person: their entry keeps its place, not who they were. */
export async function anonymiseFormationEntries(x: Executor, userId: number, label: string) {
  const formations = await x
    .selectFrom('ls_formations')
    .select(['id', 'people', 'settings'])
    .where(sql<boolean>`people @> ${JSON.stringify([{ userId }])}::jsonb`)
    .execute();
  for (const f of formations) {
    const people = (f.people as FormationPerson[]).map((p) =>
      p.userId === userId
        ? {
            userId,
            name: label,
            attributes: Object.fromEntries(Object.keys(p.attributes).map((k) => [k, null])),
          }
        : p,
    );
    const settings = f.settings as FormationSettings;
    const other = (pair: [number, number]) => pair[0] !== userId && pair[1] !== userId;
    await x
      .updateTable('ls_formations')
      .set({
        people: JSON.stringify(people),
        settings: JSON.stringify({
          ...settings,
          keepApart: settings.keepApart.filter(other),
          keepTogether: settings.keepTogether.filter(other),
        }),
      })
      .where('id', '=', f.id)
      .execute();
  }
}

export async function deleteOwnRecords(x: Executor, userId: number) {
  await x.deleteFrom('ls_actions').where('owner_user_id', '=', userId).execute();
  await x.deleteFrom('ls_attendance').where('user_id', '=', userId).execute();
  await x.deleteFrom('ls_set_members').where('user_id', '=', userId).execute();
  await x.deleteFrom('ls_facilitator_notes').where('author_user_id', '=', userId).execute();
  await x.deleteFrom('ls_calendar_feeds').where('user_id', '=', userId).execute();
  await x
    .updateTable('ls_sets')
    .set({ facilitator_user_id: null })
    .where('facilitator_user_id', '=', userId)
    .execute();
  await x.deleteFrom('ls_facilitators').where('user_id', '=', userId).execute();
}
