import { addToSubject, type DataRightsContributor } from '../../platform/data-rights.ts';
import * as repo from './mentoring.data-rights.repository.ts';

const BACK_TO_POOL = 'Your mentor has left the network. You are back in the pool for the next matching run.';

/** Mentoring: the person's offer, requests, declared conflicts, relationships, goals and meetings. */
export const mentoringDataRights: DataRightsContributor = {
  module: 'mentoring',
  title: 'Mentoring',
  personalColumns: {
    mentoring_offers: ['areas', 'mentee_professions', 'notes'],
    mentoring_requests: ['goals', 'goal_areas', 'mentor_professions', 'plan_goal_ids', 'waitlist_reason'],
    mentoring_relationships: [
      'ground_rules',
      'meeting_frequency',
      'review_text',
      'mentee_feedback',
      'mentor_feedback',
    ],
    // A run's unmatched entries (request id and reason) and its pairs' score labels.
    mentoring_runs: ['unmatched'],
    mentoring_run_pairs: ['breakdown'],
    mentoring_goals: ['title'],
    mentoring_meetings: ['notes'],
  },
  async describe(db, subject) {
    const [requests, relationships, offer] = await Promise.all([
      repo.listRequests(db, subject.userId),
      repo.listRelationships(db, subject.userId),
      repo.findOffer(db, subject.userId),
    ]);
    addToSubject(subject, {
      entities: [
        ...requests.map((r) => ({ type: 'mentoring_request', id: r.id })),
        ...relationships.map((r) => ({ type: 'mentoring_relationship', id: r.id })),
        // Offers and declarations are audited under the person's own user id.
        ...(offer ? [{ type: 'mentoring_offer', id: subject.userId }] : []),
        { type: 'mentoring_conflict', id: subject.userId },
      ],
    });
  },
  async exportFor(db, subject) {
    const me = subject.userId;
    const [offer, requests, declared, aboutMe, relationships] = await Promise.all([
      repo.findOffer(db, me),
      repo.listRequests(db, me),
      repo.listConflictsDeclaredBy(db, me),
      repo.countConflictsAbout(db, me),
      repo.listRelationships(db, me),
    ]);
    const ids = relationships.map((r) => r.id);
    const [goals, meetings] = await Promise.all([repo.listGoals(db, ids), repo.listMeetings(db, ids)]);
    return [
      {
        key: 'mentoringOffer',
        title: 'Your offer to mentor',
        records: offer
          ? [{ ...offer, areas: [...offer.areas], menteeProfessions: [...offer.mentee_professions] }]
          : [],
      },
      {
        key: 'mentoringRequests',
        title: 'Your requests for a mentor',
        records: requests.map((r) => ({
          status: r.status,
          goals: r.goals,
          goalAreas: [...r.goal_areas],
          format: r.format,
          mentorProfessions: [...r.mentor_professions],
          sameRegion: r.same_region,
          waitlistReason: r.waitlist_reason,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        })),
      },
      {
        // Declarations someone else made about the person are theirs: only how many there are.
        key: 'mentoringConflicts',
        title: 'Conflicts of interest',
        records: [
          ...declared.map((c) => ({
            declaredBy: 'You',
            with: c.other_name,
            kind: c.kind,
            declaredAt: c.created_at,
          })),
          ...(aboutMe
            ? [
                {
                  declaredBy: 'Other members',
                  with: 'You',
                  kind: `${aboutMe} declaration(s); who made them is theirs to share`,
                  declaredAt: null,
                },
              ]
            : []),
        ],
      },
      {
        // The pair's page as either of them sees it: both see the agreement, goals, the meeting log
        // and both people's feedback.
        key: 'mentoringRelationships',
        title: 'Mentoring relationships',
        records: relationships.map((r) => ({
          relationshipId: r.id,
          role: r.mentor_user_id === me ? 'mentor' : 'mentee',
          mentee: r.mentee_name,
          mentor: r.mentor_name,
          status: r.status,
          startedOn: r.started_on,
          groundRules: r.ground_rules,
          meetingFrequency: r.meeting_frequency,
          durationMonths: r.duration_months,
          agreedAt: r.agreed_at,
          reviewDueOn: r.review_due_on,
          review: r.review_text,
          reviewedAt: r.reviewed_at,
          endedAt: r.ended_at,
          menteeFeedback: r.mentee_feedback,
          mentorFeedback: r.mentor_feedback,
          goals: goals.filter((g) => g.relationship_id === r.id).map((g) => `${g.title} (${g.status})`),
        })),
      },
      {
        key: 'mentoringMeetings',
        title: 'Mentoring meetings',
        records: meetings.map((m) => ({
          relationshipId: m.relationship_id,
          metOn: m.met_on,
          format: m.format,
          notes: m.notes,
          loggedBy: m.logged_by === me ? 'You' : m.logged_by_name,
        })),
      },
    ];
  },
  async erase(trx, subject) {
    // Order matters: draft runs are found through the person's requests before those are emptied.
    await repo.removeFromDraftRuns(trx, subject.userId);
    await repo.endRelationshipsOf(trx, subject.userId, BACK_TO_POOL);
    await repo.eraseRequestsOf(trx, subject.userId);
    // Their offer is withdrawn; declarations by or about them rule out matches with someone who can
    // no longer be matched, so they serve no one and go.
    await repo.deleteOfferAndConflicts(trx, subject.userId);
  },
};
