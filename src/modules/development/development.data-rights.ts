import { londonDate } from '../../platform/dates.ts';
import { addToSubject, type DataRightsContributor, erasedLabel } from '../../platform/data-rights.ts';
import * as repo from './development.data-rights.repository.ts';
import { refreshMemberProfile } from './development.profile-totals.ts';
import { RATER_GROUP_LABELS } from './development.schemas.ts';
import { MIN_GROUP_RESPONSES } from './development.service.ts';

const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;

/**
 * Development: self-assessments with their evidence, 360-degree rounds, development plans with their
 * goals and reviews, and the competency profile figures kept for the person.
 */
export const developmentDataRights: DataRightsContributor = {
  module: 'development',
  title: 'Leadership development',
  personalColumns: {
    dev_self_ratings: ['evidence'],
    dev_feedback_rounds: ['title'],
    dev_raters: ['email', 'name', 'token_hash'],
    dev_feedback_responses: ['strengths_comment', 'development_comment'],
    dev_plans: ['title'],
    dev_plan_goals: ['title', 'actions', 'evidence'],
    dev_plan_reviews: ['author_name', 'notes'],
    dev_profile_members: ['mean'],
  },
  async describe(db, subject) {
    const own = await repo.listOwnEntityIds(db, subject.userId);
    addToSubject(subject, {
      entities: [
        ...own.assessments.map((id) => ({ type: 'dev_self_assessment', id })),
        ...own.rounds.map((id) => ({ type: 'dev_feedback_round', id })),
        ...own.plans.map((id) => ({ type: 'dev_plan', id })),
      ],
    });
  },
  async exportFor(db, subject) {
    const today = londonDate();
    const [ratings, rounds, invitations, plans] = await Promise.all([
      repo.listSelfRatingsOf(db, subject.userId),
      repo.listRoundsOf(db, subject.userId),
      repo.listInvitationsTo(db, subject.emails),
      repo.listPlansOf(db, subject.userId),
    ]);
    const roundIds = rounds.map((r) => r.id);
    const planIds = plans.map((p) => p.id);
    const [raters, responses, raterRatings, goals, reviews] = await Promise.all([
      repo.listRatersOfRounds(db, roundIds),
      repo.listResponsesOfRounds(db, roundIds),
      repo.listRatingsOfRounds(db, roundIds),
      repo.listGoalsOfPlans(db, planIds),
      repo.listReviewsOf(db, subject.userId, planIds),
    ]);

    // A self-assessment is one record per competency rated, with the evidence given.
    const selfAssessments = ratings.map((r) => ({
      assessmentId: r.assessment_id,
      assessedAt: r.created_at,
      framework: `${r.framework} (version ${r.version_number})`,
      region: r.region_code,
      domain: r.domain,
      competency: r.element,
      rating: r.rating,
      ratingLabel: r.rating_label,
      evidence: r.evidence,
    }));

    // A round as its report shows it: the raters the person invited are theirs to see; the answers
    // only once the round has closed with enough responses, as figures and comments that name no one.
    const feedbackRounds = rounds.map((round) => {
      const closed = round.closed_at !== null || round.closes_on < today;
      const answers = responses.filter((r) => r.round_id === round.id);
      const reportReady = closed && answers.length >= MIN_GROUP_RESPONSES;
      const byElement = new Map<
        number,
        { element: string; domain: string; position: number; values: number[] }
      >();
      for (const r of raterRatings.filter((x) => x.round_id === round.id)) {
        const e = byElement.get(r.element_id) ?? {
          element: r.element,
          domain: r.domain,
          position: r.position,
          values: [],
        };
        e.values.push(r.rating);
        byElement.set(r.element_id, e);
      }
      const comments = (pick: (r: (typeof answers)[number]) => string | null) =>
        reportReady
          ? answers
              .map(pick)
              .filter((c): c is string => !!c)
              .sort((a, b) => a.localeCompare(b))
          : [];
      return {
        roundId: round.id,
        title: round.title,
        framework: `${round.framework} (version ${round.version_number})`,
        startedAt: round.created_at,
        closesOn: round.closes_on,
        closedAt: round.closed_at,
        responses: answers.length,
        raters: raters
          .filter((r) => r.round_id === round.id)
          .map(
            (r) =>
              `${r.name} <${r.email}>, ${RATER_GROUP_LABELS[r.rater_group]}, ${r.responded_at ? 'answered' : 'not answered'}`,
          ),
        // Each figure rests on at least MIN_GROUP_RESPONSES ratings, as on the report.
        competencyMeans: reportReady
          ? [...byElement.values()]
              .filter((e) => e.values.length >= MIN_GROUP_RESPONSES)
              .sort((a, b) => a.position - b.position)
              .map((e) => `${e.domain}: ${e.element}: ${mean(e.values)} (${e.values.length} ratings)`)
          : [],
        strengthsComments: comments((r) => r.strengths_comment),
        developmentComments: comments((r) => r.development_comment),
      };
    });

    return [
      { key: 'selfAssessments', title: 'Self-assessments', records: selfAssessments },
      { key: 'feedbackRounds', title: '360-degree feedback you asked for', records: feedbackRounds },
      {
        // Their own name and address on someone else's invitation; what they answered is not linked
        // to them (responses keep no rater), so it cannot be given back.
        key: 'feedbackInvitations',
        title: 'Invitations you received to give 360-degree feedback',
        records: invitations.map((i) => ({
          forMember: i.member_name,
          title: i.title,
          invitedAs: `${i.name} <${i.email}>`,
          group: RATER_GROUP_LABELS[i.rater_group],
          invitedAt: i.invited_at,
          closesOn: i.closes_on,
          answeredAt: i.responded_at,
        })),
      },
      {
        key: 'developmentPlans',
        title: 'Development plans',
        records: plans.map((p) => ({
          planId: p.id,
          title: p.title,
          framework: `${p.framework} (version ${p.version_number})`,
          sharedWithMentor: p.share_with_mentor,
          sharedWithFacilitator: p.share_with_facilitator,
          createdAt: p.created_at,
          updatedAt: p.updated_at,
        })),
      },
      {
        key: 'planGoals',
        title: 'Development plan goals',
        records: goals.map((g) => ({
          planId: g.plan_id,
          title: g.title,
          competency: g.competency,
          actions: g.actions,
          evidence: g.evidence,
          targetDate: g.target_date,
          status: g.status,
          createdAt: g.created_at,
          updatedAt: g.updated_at,
        })),
      },
      {
        key: 'planReviews',
        title: 'Reviews of your plans, and reviews you wrote',
        records: reviews.map((r) => ({
          planId: r.plan_owner === subject.userId ? r.plan_id : null,
          plan: r.plan_owner === subject.userId ? r.plan_title : 'Another member’s plan',
          author: r.author_user_id === subject.userId ? 'You' : r.author_name,
          notes: r.notes,
          createdAt: r.created_at,
        })),
      },
    ];
  },
  async erase(trx, subject) {
    const label = erasedLabel(subject.userId);
    // The profile rows of the versions the person counted in, read before their ratings go.
    const versions = await repo.listProfileVersionsOf(trx, subject.userId);
    // Their own self-assessments (with the evidence), the 360 rounds they ran (with the raters' names,
    // emails and the comments about them) and their plans (goals, reviews) are about them alone:
    // deleted, not kept anonymous.
    await repo.deleteOwnRecords(trx, subject.userId);
    // The competency profiles move by the difference, as when the service recomputes a member: the
    // regional and national totals no longer count them, and no per-member row is left.
    const today = londonDate();
    for (const versionId of versions) await refreshMemberProfile(trx, subject.userId, versionId, today);
    // Their part in other people's records: an invitation to rate someone keeps its group and whether
    // it was answered (the other member's report and counts stay right), not who they were; reviews
    // they wrote stay on the other member's plan without their name.
    await repo.anonymiseInvitationsTo(trx, subject.emails, label);
    await repo.anonymiseReviewsBy(trx, subject.userId, label);
    await repo.detachFrameworkVersionsBy(trx, subject.userId);
  },
};
