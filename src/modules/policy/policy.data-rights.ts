import { addToSubject, type DataRightsContributor } from '../../platform/data-rights.ts';
import * as repo from './policy.data-rights.repository.ts';

const answerText = (a: { text_value: string | null; choice_values: string[]; scale_value: number | null }) =>
  a.text_value !== null && a.text_value !== ''
    ? a.text_value
    : a.choice_values.length
      ? a.choice_values.join('; ')
      : a.scale_value !== null
        ? String(a.scale_value)
        : null;

/**
 * The policy channel: the person's responses to calls for input (with their answers and any "this
 * misses my point"), their questions to policy makers and the questions they support, the
 * patient-safety concerns they raised, and their policy staff record (a named role).
 */
export const policyDataRights: DataRightsContributor = {
  module: 'policy',
  title: 'Policy calls and questions',
  personalColumns: {
    policy_staff: ['role_title'],
    policy_responses: ['safety_summary'],
    policy_answers: ['text_value', 'choice_values'],
    policy_theme_assignments: ['excerpt'],
    policy_assignment_history: ['details'],
    policy_response_challenges: ['body', 'answer'],
    policy_questions: ['title', 'body', 'answer', 'search'],
    policy_safety_concerns: ['summary', 'acknowledgement'],
  },
  async describe(db, subject) {
    const [responses, questions, concerns] = await Promise.all([
      repo.listResponsesOf(db, subject.userId),
      repo.listQuestionsOf(db, subject.userId),
      repo.listConcernsRaisedBy(db, subject.userId),
    ]);
    addToSubject(subject, {
      entities: [
        ...responses.map((r) => ({ type: 'policy_response', id: r.id })),
        ...questions.map((q) => ({ type: 'policy_question', id: q.id })),
        ...concerns.map((c) => ({ type: 'policy_safety_concern', id: c.id })),
      ],
    });
  },
  async exportFor(db, subject) {
    const me = subject.userId;
    const [responses, questions, supports, concerns, staff] = await Promise.all([
      repo.listResponsesOf(db, me),
      repo.listQuestionsOf(db, me),
      repo.listSupportsOf(db, me),
      repo.listConcernsRaisedBy(db, me),
      repo.findStaffRecord(db, me),
    ]);
    const ids = responses.map((r) => r.id);
    const [answers, challenges] = await Promise.all([
      repo.listAnswersOf(db, ids),
      repo.listChallengesOf(db, ids),
    ]);
    return [
      {
        key: 'policyResponses',
        title: 'Your responses to calls for input',
        records: responses.map((r) => ({
          responseId: r.id,
          call: r.call_title,
          status: r.status,
          onBehalfOf: r.on_behalf_of,
          confidential: r.confidential,
          safetyConcern: r.safety_concern,
          safetySummary: r.safety_summary,
          region: r.region_code,
          profession: r.profession,
          setting: r.setting,
          submittedAt: r.submitted_at,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          answers: answers
            .filter((a) => a.response_id === r.id)
            .map((a) => `${a.prompt}: ${answerText(a) ?? 'not answered'}`),
        })),
      },
      {
        key: 'policyChallenges',
        title: '"This misses my point"',
        records: challenges.map((c) => ({
          responseId: c.response_id,
          said: c.body,
          saidAt: c.created_at,
          answer: c.answer,
          answeredAt: c.answered_at,
        })),
      },
      {
        key: 'policyQuestions',
        title: 'Your questions to policy makers',
        records: questions.map((q) => ({
          questionId: q.id,
          title: q.title,
          body: q.body,
          visibility: q.visibility,
          safetyConcern: q.safety_concern,
          status: q.status,
          supporters: q.supports,
          askedAt: q.created_at,
          answer: q.answer,
          answeredAs: q.answered_role,
          answeredAt: q.answered_at,
          callId: q.call_id,
        })),
      },
      {
        key: 'policyQuestionSupports',
        title: 'Questions you support',
        records: supports.map((s) => ({
          questionId: s.question_id,
          question: s.title,
          supportedAt: s.created_at,
        })),
      },
      {
        key: 'policySafetyConcerns',
        title: 'Patient-safety concerns you raised',
        records: concerns.map((c) => ({
          concernId: c.id,
          raisedIn: c.response_id !== null ? `response ${c.response_id}` : `question ${c.question_id}`,
          summary: c.summary,
          raisedAt: c.raised_at,
          acknowledgedAt: c.acknowledged_at,
          acknowledgement: c.acknowledgement,
        })),
      },
      {
        key: 'policyStaff',
        title: 'Your policy staff record',
        records: staff
          ? [{ namedRole: staff.role_title, safetyLead: staff.safety_lead, updatedAt: staff.updated_at }]
          : [],
      },
    ];
  },
  async erase(trx, subject) {
    const me = subject.userId;
    // Supports first (the questions' counts drop with them), then the concerns they raised, which
    // are their own words about their own response or question.
    await repo.deleteSupportsOf(trx, me);
    await repo.deleteConcernsRaisedBy(trx, me);
    await repo.eraseResponsesOf(trx, me);
    await repo.eraseQuestionsOf(trx, me);
    // A named role is about them alone; the role title kept on questions they answered stays, as
    // the office that answered.
    await repo.deleteStaffRecord(trx, me);
  },
};
