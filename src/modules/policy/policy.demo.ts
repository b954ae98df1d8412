import type { DB } from '../../db/database.ts';
import { addDays, londonDate } from '../../platform/dates.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { DemoContext, DemoPerson, DemoStep } from '../../seed/demo.ts';
import { findPolicyFacts } from '../members/index.ts';
import { createPolicyAccess } from './policy.access.ts';
import { createPolicyAnalysis } from './policy.analysis.ts';
import { createCalls } from './policy.calls.ts';
import { createOutcomes } from './policy.outcomes.ts';
import { type MilestoneInput, type OutcomeInput } from './policy.outcomes.schemas.ts';
import { createQuestions } from './policy.questions.ts';
import { createResponses } from './policy.responses.ts';
import { createSafety } from './policy.safety.ts';
import { callInput, questionInput, responseInput } from './policy.schemas.ts';
import { createStaff } from './policy.staff.ts';

const asActor = (p: DemoPerson): Actor => ({ ...p, ip: null, requestId: null });
const BASE_URL = 'http://127.0.0.1:3000';

/** Each demo call: its questions and, for each respondent in turn, an answer to its open question. */
const CALLS = {
  open: {
    title: 'Same-day emergency care: what gets in the way?',
    summary: 'Tell us what stops patients being seen, treated and sent home on the same day.',
    answers: [
      'Same-day emergency care closes at 8pm, so evening referrals wait in the emergency department overnight.',
      'We have no dedicated imaging slots for same-day emergency care; patients wait hours for a scan.',
      'Referral criteria differ between trusts, so GPs do not know which patients to send.',
      'Space: the unit is borrowed from day surgery and shuts whenever theatres overrun.',
    ],
  },
  closed: {
    title: 'Virtual wards: what would make you refer?',
    summary: 'Virtual wards are growing. What would give you the confidence to refer a patient to one?',
    answers: [
      'Clear clinical criteria for which patients are safe at home, agreed across the system.',
      'Confidence that someone is monitoring the readings overnight, not just in office hours.',
      'A named consultant responsible for each patient on the virtual ward.',
      'Clear criteria and a quick way back into hospital if the patient deteriorates.',
      'Staff to watch the remote monitoring: at the moment alerts go unanswered at night.',
      'Agreed criteria, written down, so that referrals are not a matter of opinion.',
    ],
  },
  concluded: {
    title: 'Discharge to assess: making it work',
    summary: 'How can discharge to assess get patients home sooner and safely?',
    answers: [
      'Social care assessments take a week to arrange, so patients wait in beds they no longer need.',
      'Therapy staff at weekends would let us discharge on Saturdays and Sundays.',
      'Care packages fall through at the last minute; we need a brokerage team that works with the ward.',
      'We need therapists on the ward at weekends; Monday is a flood of discharges otherwise.',
      'Waiting for social care funding decisions is the longest delay for our older patients.',
      'A single discharge coordinator per ward who knows every care provider in the area.',
    ],
  },
} as const;

const WORK_SETTINGS = ['Acute hospital', 'Community', 'Primary care'];

/**
 * The policy channel's demo: the demo policy maker's named role (a safety lead), three calls in
 * different states (open with responses coming in and a safety concern; closed with themes and
 * answers counted under them; concluded with outcomes, milestones and the published response), and
 * a network question supported by members and answered. Everything goes through the channel's own
 * services, as a policy maker and members would through the pages; the answers are fixed text, so
 * every demo looks the same.
 */
export const policyDemoStep: DemoStep = {
  name: 'policy: staff, calls in three states with responses, themes and outcomes, a question answered',
  async run(ctx: DemoContext) {
    const maker = ctx.people.find((p) => p.roles.some((g) => g.role === 'policy-maker'));
    const national = ctx.people.find((p) => p.roles.some((g) => g.role === 'national'));
    if (!maker || !national) return;
    const services = policyServices(ctx.db);
    const pm = asActor(maker);

    await services.staff.saveOwnRole(pm, { roleTitle: 'Deputy Director, Urgent and Emergency Care, DHSC' });
    await services.staff.saveStaff(asActor(national), maker.userId, {
      roleTitle: 'Deputy Director, Urgent and Emergency Care, DHSC',
      safetyLead: true,
    });

    // Members with a profile can respond; the named demo member first, so her page shows the loop.
    const facts = await Promise.all(ctx.people.map((p) => findPolicyFacts(ctx.db, p.userId)));
    const members = ctx.people
      .filter((p, i) => facts[i] && p.roles.some((g) => g.role === 'member'))
      .sort((a, b) => Number(b.email.startsWith('member@')) - Number(a.email.startsWith('member@')));
    if (members.length < 6) return;
    const today = londonDate();

    const draftAndOpen = async (
      c: (typeof CALLS)[keyof typeof CALLS],
      closesOn: string,
      isPublic: boolean,
    ) => {
      const callId = await services.calls.createCall(
        pm,
        callInput.parse({
          kind: 'consultation',
          title: c.title,
          summary: c.summary,
          isPublic,
          opensOn: today,
          closesOn,
        }),
      );
      await services.calls.addQuestion(
        pm,
        callId,
        questionInput.parse({
          kind: 'text',
          prompt: 'What would make the biggest difference?',
          maxLength: 2000,
          required: true,
        }),
      );
      await services.calls.addQuestion(
        pm,
        callId,
        questionInput.parse({ kind: 'single', prompt: 'Where do you mostly work?', options: WORK_SETTINGS }),
      );
      for (const to of ['scheduled', 'open'] as const)
        await services.calls.changeStatus(pm, callId, { to, note: null });
      const call = await services.calls.getCall(pm, callId);
      const [text, setting] = call.questions.map((q) => q.id) as [number, number];
      const responseIds: number[] = [];
      for (const [i, answer] of c.answers.entries()) {
        const member = members[i % members.length]!;
        const { responseId } = await services.responses.saveMyResponse(
          asActor(member),
          callId,
          responseInput.parse({
            intent: i === c.answers.length - 1 && c === CALLS.open ? 'draft' : 'submit',
            confidential: i === 2,
            safetyConcern: c === CALLS.open && i === 1,
            safetySummary:
              c === CALLS.open && i === 1
                ? 'Patients waiting for scans on chairs in the corridor for hours.'
                : null,
            answers: { [text]: answer, [setting]: [WORK_SETTINGS[i % WORK_SETTINGS.length]!] },
          }),
        );
        responseIds.push(responseId);
      }
      return { callId, text, responseIds };
    };

    // Open: responses still coming in (one a draft), one flagged as a patient-safety concern.
    await draftAndOpen(CALLS.open, addDays(today, 21), false);

    // Closed: the analysis under way, answers counted under two themes.
    const closed = await draftAndOpen(CALLS.closed, today, true);
    await services.calls.changeStatus(pm, closed.callId, { to: 'closed', note: null });
    await countUnderThemes(services, pm, closed, {
      'Clear referral criteria': [0, 3, 5],
      'Monitoring out of hours': [1, 4],
    });

    // Concluded: themes, what was decided for each, milestones, and the published response.
    const done = await draftAndOpen(CALLS.concluded, today, true);
    await services.calls.changeStatus(pm, done.callId, { to: 'closed', note: null });
    const themes = await countUnderThemes(services, pm, done, {
      'Therapy at weekends': [1, 3],
      'Waiting for social care': [0, 4],
      'Care packages and brokerage': [2, 5],
    });
    const decide = (target: string, d: Omit<OutcomeInput, 'target' | 'decidedOn'>) =>
      services.outcomes.addOutcome(pm, done.callId, { target, decidedOn: today, ...d });
    const weekends = await decide(`theme-${themes['Therapy at weekends']}`, {
      decision: 'adopted',
      summary: 'Every acute trust plans therapy cover at weekends for the wards that discharge most.',
      reason: null,
      ownerRole: 'Chief Allied Health Professions Officer',
    });
    const social = await decide(`theme-${themes['Waiting for social care']}`, {
      decision: 'adapted',
      summary: 'Funding decisions for care at home within two working days, starting with six areas.',
      reason: null,
      ownerRole: 'Director of Adult Social Care, DHSC',
    });
    await decide(`theme-${themes['Care packages and brokerage']}`, {
      decision: 'not-adopted',
      summary: 'A national brokerage team.',
      reason: 'Brokerage works best run locally; we will share what the best local teams do instead.',
      ownerRole: 'Deputy Director, Urgent and Emergency Care, DHSC',
    });
    await decide(`question-${done.text}`, {
      decision: 'deferred',
      summary: 'A discharge coordinator for every ward waits for the workforce plan.',
      reason: null,
      ownerRole: 'Director of Workforce, NHS England',
    });
    const milestone = (m: Partial<MilestoneInput> & Pick<MilestoneInput, 'title'>): MilestoneInput => ({
      dueOn: null,
      status: 'planned',
      progress: 0,
      note: null,
      ...m,
    });
    const rota = await services.outcomes.addMilestone(
      pm,
      done.callId,
      weekends,
      milestone({ title: 'Weekend therapy rotas agreed', dueOn: addDays(today, 60) }),
    );
    await services.outcomes.changeMilestone(
      pm,
      done.callId,
      rota,
      milestone({
        title: 'Weekend therapy rotas agreed',
        dueOn: addDays(today, 60),
        status: 'in-progress',
        progress: 40,
        note: 'Twelve trusts have agreed rotas so far.',
      }),
    );
    await services.outcomes.addMilestone(
      pm,
      done.callId,
      social,
      milestone({ title: 'Six pilot areas chosen', status: 'done', progress: 100 }),
    );
    await services.outcomes.publishResponse(
      pm,
      done.callId,
      'Thank you to everyone who responded. You told us that patients wait for therapy at weekends, for social care decisions and for care packages. Here is what we will do about each.',
    );
    await services.calls.changeStatus(pm, done.callId, { to: 'concluded', note: null });

    // A question to the whole network, supported by three members and answered under the named role.
    const asker = members[0]!;
    const questionId = await services.questions.askQuestion(asActor(asker), {
      title: 'Will the urgent care standards cover community hospitals?',
      body: 'Our community hospital takes patients straight from ambulances at night. Are we in scope?',
      visibility: 'network',
      safetyConcern: false,
    });
    for (const supporter of members.slice(1, 4))
      await services.questions.supportQuestion(asActor(supporter), questionId);
    await services.questions.answerQuestion(pm, questionId, {
      answer: 'Yes: a community hospital that takes ambulance handovers is in scope of the standards.',
    });
    // And one still waiting, so the waiting list is not empty.
    await services.questions.askQuestion(asActor(members[4]!), {
      title: 'Is there national guidance on corridor care?',
      body: 'We are asked to care for patients in corridors most nights. What is the expected standard?',
      visibility: 'network',
      safetyConcern: false,
    });
    ctx.progress('policy: 3 calls, their responses, themes and outcomes; 2 questions, one answered');
  },
};

/** The channel's services as the policy module's plugin wires them, for the demo to act through. */
function policyServices(db: DB) {
  const access = createPolicyAccess({ db });
  const safety = createSafety({ db, baseUrl: BASE_URL });
  return {
    staff: createStaff({ db }),
    calls: createCalls({ db, access }),
    responses: createResponses({
      db,
      access,
      onSafetyConcern: async (trx, concern) => {
        await safety.raiseSafetyConcern(trx, concern);
      },
    }),
    analysis: createPolicyAnalysis({ db, access }),
    outcomes: createOutcomes({ db, access, baseUrl: BASE_URL }),
    questions: createQuestions({ db, baseUrl: BASE_URL, safety }),
  };
}

/** Creates the named themes on the call's open question and counts the answers (by position) under each. */
async function countUnderThemes(
  services: ReturnType<typeof policyServices>,
  pm: Actor,
  call: { callId: number; text: number; responseIds: number[] },
  themes: Record<string, number[]>,
): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const [name, answers] of Object.entries(themes)) {
    ids[name] = await services.analysis.createTheme(pm, call.callId, call.text, { name, description: null });
    for (const [i, at] of answers.entries())
      await services.analysis.assign(pm, call.callId, call.text, {
        responseId: call.responseIds[at]!,
        themeId: ids[name]!,
        excerpt: null,
        sentiment: i === 0 ? 'agree' : 'mixed',
        evidenceRich: i === 0,
      });
  }
  return ids;
}
