import { wordsPattern } from '../../platform/audit.data-rights.repository.ts';
import { addToSubject, type DataRightsContributor, erasedLabel } from '../../platform/data-rights.ts';
import * as repo from './learning-sets.data-rights.repository.ts';

/**
 * Action learning: the person's set memberships, the sessions with their attendance, the actions
 * they own; as a facilitator, their registration, the sets they run, their own notes and returns;
 * their calendar feeds.
 */
export const learningSetsDataRights: DataRightsContributor = {
  module: 'learning-sets',
  title: 'Action learning sets',
  personalColumns: {
    ls_formations: ['people', 'settings'],
    // A session's venue and meeting link: shown in the download, about the set rather than one person.
    ls_sessions: ['location', 'online_url'],
    ls_actions: ['description', 'review_note'],
    ls_facilitator_notes: ['body'],
    ls_session_returns: ['themes'],
    ls_calendar_feeds: ['token_hash', 'token_prefix'],
  },
  async describe(db, subject) {
    const actions = await repo.listActionsOf(db, subject.userId);
    addToSubject(subject, { entities: actions.map((a) => ({ type: 'set-action', id: a.id })) });
  },
  async exportFor(db, subject) {
    const me = subject.userId;
    const [sets, facilitated, facilitator, sessions, actions, notes, returns, feeds] = await Promise.all([
      repo.listMemberships(db, me),
      repo.listFacilitatedSets(db, me),
      repo.findFacilitator(db, me),
      repo.listSessionsOf(db, me),
      repo.listActionsOf(db, me),
      repo.listNotesBy(db, me),
      repo.listReturnsBy(db, me),
      repo.listFeeds(db, me),
    ]);
    return [
      {
        key: 'learningSets',
        title: 'Your action learning sets',
        records: [
          ...sets.map((s) => ({
            set: s.name,
            region: s.region_code,
            role: 'member',
            published: s.status === 'published',
            publishedAt: s.published_at,
            facilitator: s.facilitator,
          })),
          ...facilitated.map((s) => ({
            set: s.name,
            region: s.region_code,
            role: 'facilitator',
            published: null,
            publishedAt: null,
            facilitator: 'You',
          })),
        ],
      },
      {
        key: 'facilitator',
        title: 'Your registration as a facilitator',
        records: facilitator
          ? [
              {
                region: facilitator.region_code,
                organisation: facilitator.organisation,
                leadFacilitator: facilitator.is_lead,
                maxSets: facilitator.max_sets,
                since: facilitator.created_at,
                updatedAt: facilitator.updated_at,
              },
            ]
          : [],
      },
      {
        key: 'sessions',
        title: 'Sessions of your sets and your attendance',
        records: sessions.map((s) => ({
          set: s.set_name,
          startsAt: s.starts_at,
          endsAt: s.ends_at,
          location: s.location,
          onlineUrl: s.online_url,
          attendance: s.status ?? 'not recorded',
          presented: s.presented ?? false,
        })),
      },
      {
        key: 'actions',
        title: 'Actions you agreed',
        records: actions.map((a) => ({
          set: a.set_name,
          description: a.description,
          dueOn: a.due_on,
          status: a.status,
          reviewNote: a.review_note,
          agreedAt: a.created_at,
          reviewedAt: a.reviewed_at,
        })),
      },
      {
        // A facilitator's private notes are theirs alone: only the notes this person wrote.
        key: 'facilitatorNotes',
        title: 'Your notes on sessions you facilitated',
        records: notes.map((n) => ({ sessionStartsAt: n.starts_at, notes: n.body, updatedAt: n.updated_at })),
      },
      {
        key: 'sessionReturns',
        title: 'Session returns you made',
        records: returns.map((r) => ({
          sessionDate: r.session_date,
          members: r.members_count,
          present: r.present_count,
          apologies: r.apologies_count,
          absent: r.absent_count,
          actionsReviewed: r.actions_reviewed,
          actionsDone: r.actions_done,
          themes: r.themes,
          submittedAt: r.submitted_at,
        })),
      },
      {
        key: 'calendarFeeds',
        title: 'Calendar feed addresses',
        records: feeds.map((f) => ({
          addressStartsWith: f.token_prefix,
          createdAt: f.created_at,
          revokedAt: f.revoked_at,
        })),
      },
    ];
  },
  async erase(trx, subject) {
    const label = erasedLabel(subject.userId);
    // First, while the memberships still show which sessions were theirs: their names in what others
    // wrote about those sessions.
    await repo.scrubMentions(
      trx,
      subject.userId,
      wordsPattern([...subject.names, ...subject.emails, ...subject.registrationNumbers]),
      label,
    );
    // The formation snapshot keeps their place (the other members' indexes and scores rest on it),
    // not their name or attributes; keep-apart/together rules about them go.
    await repo.anonymiseFormationEntries(trx, subject.userId, label);
    // Their membership, attendance, actions, own notes, calendar feeds and facilitator registration
    // are about them alone: deleted. Session returns keep their counts: they were submitted figures
    // (and the per-set and regional totals the triggers keep from them stay consistent). A set they
    // facilitated keeps its sessions and is left without a facilitator, for the lead to fill.
    await repo.deleteOwnRecords(trx, subject.userId);
  },
};
