import { buildSubmission } from '../../src/modules/recruitment/index.ts';
import type { RoleGrant } from '../../src/platform/permissions.ts';
import { Agent, createUser, followRefresh, type TestContext, visibleText } from '../app.ts';
import { addMember, formationForm, location, signedIn, trustsOf } from '../journeys/support.ts';

/**
 * A small network with two regions, built through the app's own pages, API and services (never
 * raw SQL writes): in each region members, staff and a mentor; in region B every kind of record a
 * route's path can name (a learning set with a session and an action, a mentoring pair, a
 * self-assessment, a 360 round with a rater, a shared development plan with a goal, a project, a
 * conflict declaration, an application, a quota request, a funding allocation, an erasure request,
 * an API token), and one account per persona of the authorisation matrix.
 *
 * Most records belong to Bo (a member of region B): the matrix fills every path with them, so
 * every persona but Bo and region B's staff is outside their scope.
 */

export const REGION_A = 'Q34';
export const REGION_B = 'Q35';

export const PERSONAS = [
  'signed-out',
  'applicant',
  'member-a',
  'member-b',
  'mentor',
  'facilitator-a',
  'facilitator-b',
  'lead-a',
  'lead-b',
  'policy-maker',
  'other-policy-maker',
  'partner',
  'national',
  'disabled',
  'revoked-token',
] as const;
export type PersonaKey = (typeof PERSONAS)[number];

export type Persona = {
  key: PersonaKey;
  roles: RoleGrant[];
  userId: number | null;
  /** The browser (session cookie and CSRF token) that pages are driven with. */
  agent: Agent;
  /** The bearer token the API is driven with (null: no Authorization header). */
  token: string | null;
  /** Whether the app should treat this persona as signed in at all. */
  signedIn: boolean;
};

/** Texts that only the people in a record's scope may ever see, on any page or API answer. */
export type Secret = { text: string; what: string; seenBy: readonly PersonaKey[] };

export type World = {
  personas: Record<PersonaKey, Persona>;
  ids: {
    memberB: number;
    mentorB: number;
    erasureMember: number;
    memberBTokenId: number;
    selfAssessment: number;
    feedbackRound: number;
    plan: number;
    goal: number;
    project: number;
    conflict: number;
    formation: number;
    formationJob: number;
    intake: number;
    matchingJob: number;
    set: number;
    session: number;
    action: number;
    pair: number;
    run: number;
    application: number;
    quotaRequest: number;
    funding: number;
    erasureRequest: number;
    outbox: number;
    framework: number;
    frameworkVersion: number;
    phaseKey: string;
    odsB: string;
    policyCall: number;
    policyQuestion: number;
    policyResponse: number;
    policyTheme: number;
    policyAssignment: number;
    policySuggestion: number;
    suggestionJob: number;
    policyOutcome: number;
    policyMilestone: number;
    policyChallenge: number;
    policyQuestionToMakers: number;
    safetyConcern: number;
    policyMaker: number;
    // Knowledge (issue 18). Bo's case study, readable in region B only, and Bo's public resource.
    knowledgeItem: number;
    publicItem: number;
    knowledgeTopic: number;
    knowledgeCycle: number;
    // Knowledge: measures, adoptions, organisations, freshness.
    knowledgeMeasure: number;
    knowledgeMeasureValue: number;
    knowledgeAdoption: number;
    adoptionMeasure: number;
    adoptionMeasureValue: number;
    // Knowledge: discussion and moderation.
    knowledgePost: number;
    knowledgeReply: number;
    knowledgeReport: number;
    // Knowledge: search and synonyms. A shipped synonym group (the national team's to edit).
    synonymGroup: number;
    // Knowledge: files and share links.
    knowledgeFile: number;
    shareLink: number;
    shareToken: string;
    // Events: region B's launch event (lead B's, for region B), Bo's registration, an agenda item.
    event: number;
    eventRegistration: number;
    eventAgendaItem: number;
  };
  secrets: Secret[];
};

const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const TODAY = new Date().toISOString().slice(0, 10);

async function tokenFor(
  ctx: TestContext,
  user: { id: number; name: string; email: string },
  roles: RoleGrant[],
) {
  return ctx.app.services.accounts.createApiToken(
    { userId: user.id, name: user.name, email: user.email, roles, ip: null, requestId: null },
    'authorisation matrix',
  );
}

async function api(ctx: TestContext, token: string, method: string, url: string, payload?: unknown) {
  const res = await ctx.app.inject({
    method: method as 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return (res.body ? res.json() : {}) as Record<string, unknown>;
}

function linkId(html: string, pattern: RegExp, what: string): number {
  const m = pattern.exec(html);
  if (!m) throw new Error(`no ${what} link in: ${visibleText(html).slice(0, 400)}`);
  return Number(m[1]);
}

async function firstIntake(ctx: TestContext, regionCode: string) {
  return (
    await ctx.db
      .selectFrom('intakes')
      .select('id')
      .where('region_code', '=', regionCode)
      .orderBy('id')
      .executeTakeFirstOrThrow()
  ).id;
}

/** Builds the world once; the matrix reads it and must leave it as it found it. */
export async function buildWorld(ctx: TestContext): Promise<World> {
  const personas = {} as Record<PersonaKey, Persona>;
  const intakeA = await firstIntake(ctx, REGION_A);
  const intakeB = await firstIntake(ctx, REGION_B);
  const trustsA = await trustsOf(ctx, REGION_A);
  const trustsB = await trustsOf(ctx, REGION_B);
  const odsB = (
    await ctx.db
      .selectFrom('organisations')
      .select('ods_code')
      .where('id', '=', trustsB[0]!)
      .executeTakeFirstOrThrow()
  ).ods_code;
  if (!odsB) throw new Error('world: the first trust of region B has no ODS code');

  async function person(
    key: PersonaKey,
    roles: RoleGrant[],
    name: string,
    profile?: { regionCode: string; intakeId?: number; organisationId: number; mentor?: boolean },
  ) {
    const user = profile
      ? await addMember(ctx, {
          regionCode: profile.regionCode,
          name,
          profession: 'nurse',
          organisationId: profile.organisationId,
          jobTitle: 'Consultant nurse',
          ...(profile.intakeId === undefined ? {} : { intakeId: profile.intakeId }),
          ...(profile.mentor ? { mentor: true } : {}),
        })
      : await createUser(ctx, roles, { name });
    const agent = await signedIn(ctx, user.email);
    const token = (await tokenFor(ctx, user, roles)).token;
    personas[key] = { key, roles, userId: user.id, agent, token, signedIn: true };
    return { user, agent, token };
  }

  personas['signed-out'] = {
    key: 'signed-out',
    roles: [],
    userId: null,
    agent: new Agent(ctx.app),
    token: null,
    signedIn: false,
  };
  await personas['signed-out'].agent.get('/sign-in');

  const national = await person('national', [{ role: 'national', regionCode: null }], 'Nadia National');
  await person('applicant', [{ role: 'applicant', regionCode: null }], 'Ari Applicant');
  await person('member-a', [{ role: 'member', regionCode: REGION_A }], 'Ada Member', {
    regionCode: REGION_A,
    intakeId: intakeA,
    organisationId: trustsA[0]!,
  });
  const memberB = await person('member-b', [{ role: 'member', regionCode: REGION_B }], 'Bo Member', {
    regionCode: REGION_B,
    intakeId: intakeB,
    organisationId: trustsB[0]!,
  });
  await person(
    'mentor',
    [
      { role: 'member', regionCode: REGION_A },
      { role: 'mentor', regionCode: REGION_A },
    ],
    'Milo Mentor',
    { regionCode: REGION_A, organisationId: trustsA[1]!, mentor: true },
  );
  const facA = await person(
    'facilitator-a',
    [{ role: 'facilitator', regionCode: REGION_A }],
    'Faye Facilitator',
  );
  const facB = await person(
    'facilitator-b',
    [{ role: 'facilitator', regionCode: REGION_B }],
    'Finn Facilitator',
  );
  const leadA = await person('lead-a', [{ role: 'regional-lead', regionCode: REGION_A }], 'Lana Lead');
  const leadB = await person('lead-b', [{ role: 'regional-lead', regionCode: REGION_B }], 'Luca Lead');
  const pip = await person('policy-maker', [{ role: 'policy-maker', regionCode: null }], 'Pip Policy');
  // A second policy maker, with a named role but neither the world's call nor the safety lead's
  // duty: the policy team's shared pages are theirs, the call's owner-only routes are not.
  const otherPolicyMaker = await person(
    'other-policy-maker',
    [{ role: 'policy-maker', regionCode: null }],
    'Odette Otherdesk',
  );
  await person('partner', [{ role: 'partner', regionCode: null }], 'Parveen Partner');
  const disabled = await person('disabled', [{ role: 'member', regionCode: REGION_B }], 'Dora Disabled', {
    regionCode: REGION_B,
    organisationId: trustsB[1]!,
  });
  const revoked = await person('revoked-token', [{ role: 'member', regionCode: REGION_B }], 'Rex Revoked', {
    regionCode: REGION_B,
    organisationId: trustsB[1]!,
  });

  // The disabled account was signed in with a live token when it was disabled; the revoked token
  // belongs to an account that still works, and is sent to pages and API alike.
  await national.agent.get(`/admin/users/${disabled.user.id}`);
  location(await national.agent.post(`/admin/users/${disabled.user.id}/disable`));
  personas.disabled.signedIn = false;
  const revokedTokens = (await api(ctx, revoked.token, 'GET', '/api/v1/me/tokens')) as unknown as
    { id: number }[] | { tokens: { id: number }[] };
  const revokedId = (Array.isArray(revokedTokens) ? revokedTokens : revokedTokens.tokens)[0]!.id;
  await api(ctx, revoked.token, 'DELETE', `/api/v1/me/tokens/${revokedId}`);
  personas['revoked-token'].agent = new Agent(ctx.app);
  personas['revoked-token'].signedIn = false;

  const memberBTokenId = (await tokenFor(ctx, memberB.user, personas['member-b'].roles)).id;

  // Region B's cohort, its facilitator, sets, a session and an action.
  const others = [];
  for (let i = 0; i < 7; i++)
    others.push(
      await addMember(ctx, {
        regionCode: REGION_B,
        intakeId: intakeB,
        name: `Cohort Member B${i}`,
        profession: ['doctor', 'nurse', 'pharmacist', 'midwife'][i % 4]!,
        organisationId: trustsB[i % trustsB.length]!,
        jobTitle: 'Consultant',
      }),
    );
  await leadB.agent.get(`/learning-sets/regions/${REGION_B}`);
  location(
    await leadB.agent.post(`/learning-sets/regions/${REGION_B}/facilitators`, {
      email: facB.user.email,
      maxSets: '3',
      isLead: 'yes',
    }),
  );
  await leadA.agent.get(`/learning-sets/regions/${REGION_A}`);
  location(
    await leadA.agent.post(`/learning-sets/regions/${REGION_A}/facilitators`, {
      email: facA.user.email,
      maxSets: '3',
      isLead: 'yes',
    }),
  );
  await leadB.agent.get(`/learning-sets/regions/${REGION_B}/form`);
  // Forming sets is a job: its page refreshes until the draft is written, then leads to it.
  const jobPath = location(
    await leadB.agent.post(
      `/learning-sets/regions/${REGION_B}/form`,
      formationForm(intakeB, { setCount: '1' }),
    ),
  );
  const formationJob = Number(jobPath.split('/').pop());
  const formationPath = location(await followRefresh(leadB.agent, jobPath));
  const formation = Number(formationPath.split('/').pop());
  location(await leadB.agent.post(`${formationPath}/publish`));
  const set = linkId(
    (await memberB.agent.get('/learning-sets')).body,
    /href="\/learning-sets\/sets\/(\d+)"/,
    'set',
  );
  await facB.agent.get(`/learning-sets/sets/${set}`);
  location(
    await facB.agent.post(`/learning-sets/sets/${set}/sessions`, {
      date: FUTURE,
      startTime: '13:30',
      durationMinutes: '180',
      location: 'Marigold Hall, Setbury',
      onlineUrl: '',
    }),
  );
  const session = linkId(
    (await facB.agent.get(`/learning-sets/sets/${set}`)).body,
    /href="\/learning-sets\/sessions\/(\d+)"/,
    'session',
  );
  const action = (await api(ctx, facB.token, 'POST', `/api/v1/learning-sets/sessions/${session}/actions`, {
    ownerUserId: memberB.user.id,
    description: 'Action Pelican Causeway',
    dueOn: FUTURE,
  })) as { id: number };

  // Mentoring: Bea mentors Bo after region B's matching run.
  const bea = await addMember(ctx, {
    regionCode: REGION_B,
    name: 'Bea Mentorson',
    profession: 'doctor',
    organisationId: trustsB[2 % trustsB.length]!,
    jobTitle: 'Medical director',
    mentor: true,
  });
  const beaAgent = await signedIn(ctx, bea.email);
  await beaAgent.get('/mentoring/offer');
  location(
    await beaAgent.post('/mentoring/offer', { capacity: '2', areas: ['management'], format: 'either' }),
  );
  await memberB.agent.get('/mentoring/request');
  location(
    await memberB.agent.post('/mentoring/request', {
      goals: 'Lead a service change',
      goalAreas: ['management'],
      format: 'online',
      sameRegion: 'yes',
    }),
  );
  const erin = await addMember(ctx, {
    regionCode: REGION_B,
    name: 'Erin Erasewell',
    profession: 'midwife',
    organisationId: trustsB[0]!,
    jobTitle: 'Midwife',
  });
  await memberB.agent.get('/mentoring/conflicts');
  location(await memberB.agent.post('/mentoring/conflicts', { email: erin.email, kind: 'conflict' }));
  await leadB.agent.get('/mentoring/admin');
  // A matching run is a job too: its page leads to the run once it is computed.
  const matchingJobPath = location(await leadB.agent.post('/mentoring/runs', { regionCode: REGION_B }));
  const matchingJob = Number(matchingJobPath.split('/').pop());
  const runPath = location(await followRefresh(leadB.agent, matchingJobPath));
  location(await leadB.agent.post(`${runPath}/approve`));
  const run = Number(runPath.split('/').pop());
  const pair = linkId(
    (await memberB.agent.get('/mentoring')).body,
    /href="\/mentoring\/pairs\/(\d+)"/,
    'pair',
  );
  await beaAgent.get(`/mentoring/pairs/${pair}`);
  location(
    await beaAgent.post(`/mentoring/pairs/${pair}/meetings`, {
      metOn: TODAY,
      format: 'online',
      notes: 'Meeting notes Wombat Lantern',
    }),
  );

  // Development: a self-assessment, a 360 round with a rater, a plan shared with mentor and facilitator.
  const assess = await memberB.agent.get('/development/self-assessments/new');
  const versionId = /name="versionId" value="(\d+)"/.exec(assess.body)![1]!;
  const ratings: Record<string, string> = { versionId };
  for (const m of assess.body.matchAll(/name="(rating-\d+)"/g)) ratings[m[1]!] = '3';
  const selfAssessment = Number(
    location(await memberB.agent.post('/development/self-assessments', ratings))
      .split('/')
      .pop(),
  );
  await memberB.agent.get('/development/feedback/new');
  const roundPath = location(
    await memberB.agent.post('/development/feedback', {
      title: 'Round Juniper Falls',
      'closesOn-day': '1',
      'closesOn-month': '1',
      'closesOn-year': String(new Date().getFullYear() + 1),
    }),
  );
  await memberB.agent.get(roundPath);
  location(
    await memberB.agent.post(`${roundPath}/raters`, {
      name: 'Rhiannon Raterfield',
      email: 'rhiannon.raterfield@nhs.test',
      group: 'peer',
    }),
  );
  const feedbackRound = Number(roundPath.split('/').pop());
  const plan = (await api(ctx, memberB.token, 'POST', '/api/v1/development/plans', {
    title: 'Plan Xylophone Harbour',
  })) as { id: number; versionId?: number };
  const element = await ctx.db
    .selectFrom('dev_elements')
    .innerJoin('dev_plans', 'dev_plans.version_id', 'dev_elements.version_id')
    .select('dev_elements.id')
    .where('dev_plans.id', '=', plan.id)
    .orderBy('dev_elements.position')
    .executeTakeFirstOrThrow();
  const goal = (await api(ctx, memberB.token, 'POST', `/api/v1/development/plans/${plan.id}/goals`, {
    title: 'Goal Quokka Bridge',
    elementId: element.id,
    status: 'in-progress',
  })) as { id: number };
  await api(ctx, memberB.token, 'PUT', `/api/v1/development/plans/${plan.id}/sharing`, {
    shareWithMentor: true,
    shareWithFacilitator: true,
  });

  // Members: a project, an erasure request.
  await memberB.agent.get('/profile');
  location(
    await memberB.agent.post('/profile/projects', {
      title: 'Project Velvet Orchard',
      summary: 'A discharge lounge.',
      stage: 'idea',
    }),
  );
  // Bo keeps projects to staff and the biography to region B: the directory must honour both.
  await api(ctx, memberB.token, 'PATCH', '/api/v1/me/profile', {
    biography: 'Biography Saffron Lighthouse',
    visibilityBiography: 'region',
    visibilityProjects: 'staff',
  });
  const erinAgent = await signedIn(ctx, erin.email);
  await erinAgent.get('/profile/erasure');
  location(await erinAgent.post('/profile/erasure', { confirm: 'yes', reason: '' }));

  // Recruitment: an application to region B, a quota request by its lead.
  const submission = buildSubmission({
    givenName: 'Quentin',
    familyName: 'Zephyrbrook',
    regionCode: REGION_B,
    employerOds: odsB,
  });
  const application = (
    await ctx.app.inject({ method: 'POST', url: '/api/v1/applications', payload: submission })
  ).json() as {
    id: number;
    regionCode: string;
  };
  if (application.regionCode !== REGION_B) throw new Error(`application went to ${application.regionCode}`);
  await leadB.agent.get(`/recruitment/regions/${REGION_B}/quota-request`);
  location(
    await leadB.agent.post(`/recruitment/regions/${REGION_B}/quota-request`, {
      requestedQuota: '75',
      reason: 'Reason Tangerine Moor',
    }),
  );

  // Programme: a funding allocation to region B.
  await national.agent.get(`/programme/regions/${REGION_B}`);
  location(
    await national.agent.post(`/programme/regions/${REGION_B}/funding`, {
      amount: '12345',
      allocatedOn: TODAY,
      receivedOn: '',
      reference: 'FUND-COBALT-B',
    }),
  );

  // The ids of what was made (reads only).
  const one = async <T>(q: Promise<T | undefined>, what: string): Promise<T> => {
    const r = await q;
    if (!r) throw new Error(`world: no ${what}`);
    return r;
  };
  const quotaRequest = await one(
    ctx.db.selectFrom('quota_requests').select('id').where('region_code', '=', REGION_B).executeTakeFirst(),
    'quota request',
  );
  const funding = await one(
    ctx.db
      .selectFrom('funding_allocations')
      .select('id')
      .where('region_code', '=', REGION_B)
      .executeTakeFirst(),
    'funding',
  );
  const project = await one(
    ctx.db
      .selectFrom('member_projects')
      .select('id')
      .where('user_id', '=', memberB.user.id)
      .executeTakeFirst(),
    'project',
  );
  const conflict = await one(
    ctx.db.selectFrom('mentoring_conflicts').select('id').executeTakeFirst(),
    'conflict',
  );
  const erasureRequest = await one(
    ctx.db.selectFrom('erasure_requests').select('id').where('user_id', '=', erin.id).executeTakeFirst(),
    'erasure request',
  );
  // The policy channel. Pip (a policy maker, the named safety lead) runs a call aimed at region B:
  // Bo answers it confidentially for their organisation, flagging a safety concern; region B's
  // cohort answers too, so the analysis has themes and suggested themes; once closed, Pip records
  // an outcome with a milestone and Bo says it misses their point. Bo also asks a private question.
  await api(ctx, national.token, 'PUT', `/api/v1/policy/staff/${pip.user.id}`, {
    roleTitle: 'Deputy Director, Urgent Care',
    safetyLead: true,
  });
  await api(ctx, national.token, 'PUT', `/api/v1/policy/staff/${otherPolicyMaker.user.id}`, {
    roleTitle: 'Head of Workforce Policy',
    safetyLead: false,
  });
  const policyCall = Number(
    (
      await api(ctx, pip.token, 'POST', '/api/v1/policy/calls', {
        kind: 'consultation',
        title: 'Front door urgent care',
        summary: 'How should urgent care work at the front door of emergency departments?',
        opensOn: TODAY,
        closesOn: FUTURE,
        audienceRegions: [REGION_B],
        audienceProfessions: [],
        audienceSpecialtyIds: [],
      })
    ).id,
  );
  const withQuestions = await api(ctx, pip.token, 'PUT', `/api/v1/policy/calls/${policyCall}/questions`, {
    questions: [{ kind: 'text', prompt: 'What would make the biggest difference?', maxLength: 2000 }],
  });
  const policyQuestion = Number((withQuestions.questions as { id: number }[])[0]!.id);
  await api(ctx, pip.token, 'POST', `/api/v1/policy/calls/${policyCall}/status`, { to: 'scheduled' });
  await api(ctx, pip.token, 'POST', `/api/v1/policy/calls/${policyCall}/status`, { to: 'open' });
  await api(ctx, memberB.token, 'PUT', `/api/v1/policy/calls/${policyCall}/my-response`, {
    intent: 'submit',
    onBehalf: 'organisation',
    confidential: true,
    safetyConcern: true,
    safetySummary: 'Corridor care overnight',
    answers: {
      [policyQuestion]: 'Staffing the triage desk overnight: Marmalade Kestrel ward waits are unsafe.',
    },
  });
  const topics = [
    'More triage nurses overnight would cut the waits at the front door.',
    'Overnight triage staffing is the biggest gap: more nurses at triage.',
    'Same day emergency care clinics would keep patients out of the corridor.',
    'Open same day emergency care at weekends so patients avoid admission.',
  ];
  for (const [i, other] of others.entries()) {
    const token = (await tokenFor(ctx, other, [{ role: 'member', regionCode: REGION_B }])).token;
    await api(ctx, token, 'PUT', `/api/v1/policy/calls/${policyCall}/my-response`, {
      intent: 'submit',
      answers: { [policyQuestion]: topics[i % topics.length] },
    });
  }
  await api(ctx, pip.token, 'POST', `/api/v1/policy/calls/${policyCall}/status`, { to: 'closed' });
  const policyResponse = await one(
    ctx.db
      .selectFrom('policy_responses')
      .select('id')
      .where('call_id', '=', policyCall)
      .where('user_id', '=', memberB.user.id)
      .executeTakeFirst(),
    'policy response',
  );
  const policyTheme = Number(
    (
      (
        await api(ctx, pip.token, 'POST', `/api/v1/policy/calls/${policyCall}/themes`, {
          questionId: policyQuestion,
          name: 'Triage staffing',
        })
      ).theme as { id: number }
    ).id,
  );
  const policyAssignment = Number(
    (
      await api(ctx, pip.token, 'POST', `/api/v1/policy/themes/${policyTheme}/assignments`, {
        responseId: policyResponse.id,
      })
    ).id,
  );
  const suggestionJob = Number(
    (
      await api(ctx, pip.token, 'POST', `/api/v1/policy/calls/${policyCall}/suggestion-jobs`, {
        questionId: policyQuestion,
      })
    ).id,
  );
  for (let i = 0; i < 600; i++) {
    const job = await api(ctx, pip.token, 'GET', `/api/v1/policy/suggestion-jobs/${suggestionJob}`);
    if (job.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pending = (await api(
    ctx,
    pip.token,
    'GET',
    `/api/v1/policy/calls/${policyCall}/suggestions`,
  )) as unknown as {
    id: number;
    status: string;
  }[];
  const policySuggestion = pending.find((x) => x.status === 'pending');
  if (!policySuggestion) throw new Error(`world: no pending suggested theme (${JSON.stringify(pending)})`);
  const policyOutcome = Number(
    (
      await api(ctx, pip.token, 'POST', `/api/v1/policy/calls/${policyCall}/outcomes`, {
        target: `theme-${policyTheme}`,
        decision: 'adopted',
        summary: 'Triage staffing standards will be set nationally.',
        reason: null,
        ownerRole: 'Deputy Director, Urgent Care',
        decidedOn: TODAY,
      })
    ).id,
  );
  const policyMilestone = Number(
    (
      await api(
        ctx,
        pip.token,
        'POST',
        `/api/v1/policy/calls/${policyCall}/outcomes/${policyOutcome}/milestones`,
        {
          title: 'Standards drafted',
          dueOn: FUTURE,
          status: 'planned',
          progress: 0,
          note: null,
        },
      )
    ).id,
  );
  await api(ctx, memberB.token, 'POST', `/api/v1/policy/contributions/${policyResponse.id}/challenge`, {
    body: 'Counted under staffing, but Quillwort Meadow is about beds.',
  });
  const policyChallenge = await one(
    ctx.db
      .selectFrom('policy_response_challenges')
      .select('id')
      .where('response_id', '=', policyResponse.id)
      .executeTakeFirst(),
    'challenge',
  );
  const policyQuestionToMakers = Number(
    (
      await api(ctx, memberB.token, 'POST', '/api/v1/policy/questions', {
        title: 'When will Juniper Quayside funding be confirmed?',
        body: 'Our trust needs to plan the Juniper Quayside pilot.',
        visibility: 'private',
        safetyConcern: false,
      })
    ).id,
  );
  const safetyConcern = await one(
    ctx.db
      .selectFrom('policy_safety_concerns')
      .select('id')
      .where('response_id', '=', policyResponse.id)
      .executeTakeFirst(),
    'safety concern',
  );

  // Knowledge (issue 18): Bo's region-only case study and Bo's public resource, drafted and
  // published through the API (the national team names the topic).
  const knowledgeTopic = Number(
    (await api(ctx, national.token, 'POST', '/api/v1/knowledge/topics', { name: 'Frailty' })).id,
  );
  const knowledgeItem = Number(
    (
      await api(ctx, memberB.token, 'POST', '/api/v1/knowledge/items', {
        kind: 'case-study',
        title: 'Frailty front door Heronsgate Weir',
        summary: 'Same-day assessment of frail older people at Heronsgate Weir.',
        visibility: 'region',
        regionCode: REGION_B,
        topicIds: [knowledgeTopic],
      })
    ).id,
  );
  await api(ctx, memberB.token, 'POST', `/api/v1/knowledge/items/${knowledgeItem}/publish`, {});
  const publicItem = Number(
    (
      await api(ctx, memberB.token, 'POST', '/api/v1/knowledge/items', {
        kind: 'resource',
        title: 'Discharge checklist for everyone',
        summary: 'A public checklist anyone may read.',
        visibility: 'public',
      })
    ).id,
  );
  await api(ctx, memberB.token, 'POST', `/api/v1/knowledge/items/${publicItem}/publish`, {});
  // Bo adds a PDSA cycle to the case study through its page (which writes its version 2).
  await memberB.agent.get(`/knowledge/items/${knowledgeItem}`);
  location(
    await memberB.agent.post(`/knowledge/items/${knowledgeItem}/cycles`, {
      plan: 'Heronsgate Weir triage trial',
    }),
  );
  const knowledgeCycle = (
    await ctx.db
      .selectFrom('knowledge_pdsa_cycles')
      .select('id')
      .where('item_id', '=', knowledgeItem)
      .executeTakeFirstOrThrow()
  ).id;
  // Knowledge: measures, adoptions, organisations, freshness. Bo adds a measure with two values to
  // the region-only case study, through its page.
  await memberB.agent.get(`/knowledge/items/${knowledgeItem}/measures`);
  const measurePath = location(
    await memberB.agent.post(`/knowledge/items/${knowledgeItem}/measures`, {
      kind: 'outcome',
      name: 'Measure Pochard Flats admissions',
      unit: 'a week',
      description: '',
    }),
  );
  const knowledgeMeasure = Number(/#measure-(\d+)/.exec(measurePath)![1]);
  for (const [measuredOn, value] of [
    ['2026-01-05', '31'],
    ['2026-01-12', '27'],
  ] as const)
    location(
      await memberB.agent.post(`/knowledge/items/${knowledgeItem}/measures/${knowledgeMeasure}/values`, {
        measuredOn,
        value,
        note: measuredOn === '2026-01-05' ? 'Counted at Osprey Shingle ward' : '',
      }),
    );
  const knowledgeMeasureValue = (
    await one(
      ctx.db
        .selectFrom('knowledge_measure_values')
        .select('id')
        .where('measure_id', '=', knowledgeMeasure)
        .orderBy('measured_on')
        .executeTakeFirst(),
      'measure value',
    )
  ).id;

  // A member of another trust in region B records that their trust adapted Bo's case study, with
  // a measure of its own, through the pages: none of the personas recorded it.
  const adopter = await signedIn(ctx, others[1]!.email);
  await adopter.get(`/knowledge/items/${knowledgeItem}/spread`);
  const adoptionPath = location(
    await adopter.post(`/knowledge/items/${knowledgeItem}/adoptions`, {
      status: 'adapted',
      adoptedOn: '2026-02-02',
      notes: 'Adapted for Cormorant Sill community beds',
    }),
  );
  const knowledgeAdoption = Number(adoptionPath.split('/').pop());
  await adopter.get(`${adoptionPath}/measures`);
  const adoptionMeasure = Number(
    /#measure-(\d+)/.exec(
      location(
        await adopter.post(`${adoptionPath}/measures`, {
          kind: 'process',
          name: 'Measure Avocet Drove same-day reviews',
          unit: '%',
          description: '',
        }),
      ),
    )![1],
  );
  location(
    await adopter.post(`${adoptionPath}/measures/${adoptionMeasure}/values`, {
      measuredOn: '2026-02-09',
      value: '58',
      note: '',
    }),
  );
  const adoptionMeasureValue = (
    await one(
      ctx.db
        .selectFrom('knowledge_measure_values')
        .select('id')
        .where('measure_id', '=', adoptionMeasure)
        .executeTakeFirst(),
      'adoption measure value',
    )
  ).id;

  // Knowledge: discussion and moderation. Bo asks a question on the region-only case study; Finn
  // (region B's facilitator) replies, mentioning Bo; Bo reports the reply to the moderators.
  await memberB.agent.get(`/knowledge/items/${knowledgeItem}/discussion`);
  const knowledgePost = Number(
    /#post-(\d+)$/.exec(
      location(
        await memberB.agent.post(`/knowledge/items/${knowledgeItem}/posts`, {
          kind: 'question',
          body: 'Has anyone run the Tamarind Causeway triage model out of hours?',
          mentions: '',
        }),
      ),
    )?.[1],
  );
  await facB.agent.get(`/knowledge/posts/${knowledgePost}/reply`);
  const knowledgeReply = Number(
    /#post-(\d+)$/.exec(
      location(
        await facB.agent.post(`/knowledge/posts/${knowledgePost}/replies`, {
          body: 'We ran it at Gannet Reach with two nurses overnight.',
          mentions: memberB.user.email,
        }),
      ),
    )?.[1],
  );
  const knowledgeReport = Number(
    (
      await api(ctx, memberB.token, 'POST', `/api/v1/knowledge/posts/${knowledgeReply}/reports`, {
        reason: 'Names a ward, Quince Harbour, that should stay private.',
      })
    ).id,
  );

  // Knowledge: search and synonyms.
  const synonymGroup = (await ctx.db.selectFrom('knowledge_synonyms').select(['id', 'terms']).execute()).find(
    (g) => g.terms.includes('COPD'),
  )!.id;

  // Knowledge: files and share links. Bo uploads a text file to the region-only case study and
  // makes a share link to the public resource, through the pages.
  await memberB.agent.get(`/knowledge/items/${knowledgeItem}/files`);
  {
    const boundary = '----clnworldfile';
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/knowledge/items/${knowledgeItem}/files`,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        accept: 'text/html',
        cookie: (memberB.agent as unknown as { cookieHeader(): string }).cookieHeader(),
      },
      payload:
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${memberB.agent.csrfToken}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Kittiwake Sluice audit.txt"\r\n` +
        `Content-Type: text/plain\r\n\r\nWaits at Ptarmigan Spinney fell by a third.\n\r\n--${boundary}--\r\n`,
    });
    if (res.statusCode !== 303) throw new Error(`world: file upload gave ${res.statusCode}`);
  }
  const knowledgeFile = (
    await one(
      ctx.db
        .selectFrom('knowledge_files')
        .select('id')
        .where('item_id', '=', knowledgeItem)
        .executeTakeFirst(),
      'knowledge file',
    )
  ).id;
  await memberB.agent.get(`/knowledge/items/${publicItem}/share-links`);
  const shared = await memberB.agent.post(`/knowledge/items/${publicItem}/share-links`);
  const shareToken = /\/knowledge\/shared\/([A-Za-z0-9_-]{43})"/.exec(shared.body)?.[1];
  if (!shareToken) throw new Error(`world: share link gave ${shared.statusCode}`);
  const shareLink = (
    await one(
      ctx.db
        .selectFrom('knowledge_share_links')
        .select('id')
        .where('item_id', '=', publicItem)
        .executeTakeFirst(),
      'share link',
    )
  ).id;

  // Events: region B's launch event, organised by its lead for region B's members, with notes for
  // organisers and an agenda item; Bo registers for it through the API.
  const event = Number(
    (
      await api(ctx, leadB.token, 'POST', '/api/v1/events', {
        scope: 'regional',
        regionCode: REGION_B,
        format: 'in-person',
        title: 'Launch at Bramblecombe',
        summary: 'Region B meets for the first time.',
        venueName: 'Bramblecombe Hall',
        startDate: FUTURE,
        startTime: '10:00',
        endDate: FUTURE,
        endTime: '16:00',
        capacity: 30,
        audience: 'region',
        organiserNotes: 'Caterer Gannet Thornbury needs numbers',
      })
    ).id,
  );
  const withAgenda = await api(ctx, leadB.token, 'PUT', `/api/v1/events/${event}/agenda`, {
    items: [{ time: '10:00', title: 'Welcome', speakers: 'Luca Lead' }],
  });
  const eventAgendaItem = Number((withAgenda.agenda as { id: number }[])[0]!.id);
  await api(ctx, leadB.token, 'POST', `/api/v1/events/${event}/status`, { to: 'published' });
  await api(ctx, memberB.token, 'POST', `/api/v1/events/${event}/registration`, {});
  const eventRegistration = (
    await one(
      ctx.db
        .selectFrom('event_registrations')
        .select('id')
        .where('event_id', '=', event)
        .where('user_id', '=', memberB.user.id)
        .executeTakeFirst(),
      'event registration',
    )
  ).id;

  const outbox = await one(
    ctx.db.selectFrom('outbox').select('id').orderBy('id', 'desc').executeTakeFirst(),
    'outbox row',
  );
  const version = await one(
    ctx.db
      .selectFrom('dev_framework_versions')
      .select(['id', 'framework_id'])
      .where('id', '=', Number(versionId))
      .executeTakeFirst(),
    'framework version',
  );
  const phases = (await (await ctx.app.inject({ method: 'GET', url: '/api/v1/phases' })).json()) as
    { key: string }[] | { phases: { key: string }[] };
  const phaseKey = (Array.isArray(phases) ? phases : phases.phases)[0]!.key;

  const bStaff: PersonaKey[] = ['lead-b', 'facilitator-b', 'national'];
  const secrets: Secret[] = [
    { text: 'Quentin', what: "region B's applicant", seenBy: ['lead-b', 'national'] },
    { text: 'Zephyrbrook', what: "region B's applicant", seenBy: ['lead-b', 'national'] },
    { text: 'Reason Tangerine Moor', what: "region B's quota request", seenBy: ['lead-b', 'national'] },
    { text: 'Rhiannon', what: "Bo's 360 rater", seenBy: ['member-b'] },
    { text: 'Round Juniper Falls', what: "Bo's 360 round", seenBy: ['member-b'] },
    { text: 'Plan Xylophone Harbour', what: "Bo's development plan", seenBy: ['member-b', 'facilitator-b'] },
    { text: 'Goal Quokka Bridge', what: "Bo's plan goal", seenBy: ['member-b', 'facilitator-b'] },
    { text: 'Wombat Lantern', what: "Bo and Bea's meeting notes", seenBy: ['member-b'] },
    { text: 'Marigold Hall', what: "Bo's set session", seenBy: ['member-b', ...bStaff] },
    { text: 'Pelican Causeway', what: "Bo's set action", seenBy: ['member-b', ...bStaff] },
    { text: 'Velvet Orchard', what: "Bo's project (staff only)", seenBy: ['member-b', ...bStaff] },
    { text: 'Saffron Lighthouse', what: "Bo's biography (region B only)", seenBy: ['member-b', ...bStaff] },
    { text: 'FUND-COBALT-B', what: "region B's funding", seenBy: ['partner', ...bStaff] },
    // Bo's confidential response is for the call's owner and national, not the rest of the policy
    // team; so is Bo's challenge to how the response was counted. The safety concern raised with
    // it is for the safety lead (Pip) and national. Bo's private question is for the whole policy
    // team (issue 17: "privately to the policy team"), so Odette may read it too.
    {
      text: 'Marmalade Kestrel',
      what: "Bo's confidential response",
      seenBy: ['member-b', 'policy-maker', 'national'],
    },
    { text: 'Quillwort Meadow', what: "Bo's challenge", seenBy: ['member-b', 'policy-maker', 'national'] },
    {
      text: 'Corridor care overnight',
      what: "Bo's patient-safety concern",
      seenBy: ['member-b', 'policy-maker', 'national'],
    },
    {
      text: 'Juniper Quayside',
      what: "Bo's private question",
      seenBy: ['member-b', 'policy-maker', 'other-policy-maker', 'national'],
    },
    { text: 'Heronsgate Weir', what: "Bo's region-only case study", seenBy: ['member-b', ...bStaff] },
    // Knowledge: secrets of measures, adoptions, organisations, freshness.
    {
      text: 'Pochard Flats',
      what: "the measure on Bo's region-only case study",
      seenBy: ['member-b', ...bStaff],
    },
    {
      text: 'Cormorant Sill',
      what: "the notes of an adoption of Bo's region-only case study",
      seenBy: ['member-b', ...bStaff],
    },
    {
      text: 'Avocet Drove',
      what: "the measure of an adoption of Bo's region-only case study",
      seenBy: ['member-b', ...bStaff],
    },
    {
      text: 'Osprey Shingle',
      what: "a value's note on Bo's region-only case study",
      seenBy: ['member-b', ...bStaff],
    },
    // Knowledge: secrets of discussion and moderation. A report's reason is for the moderators
    // (region B's lead and national) and the person who reported it.
    { text: 'Tamarind Causeway', what: "Bo's question on the case study", seenBy: ['member-b', ...bStaff] },
    { text: 'Gannet Reach', what: "Finn's reply to Bo's question", seenBy: ['member-b', ...bStaff] },
    { text: 'Quince Harbour', what: "Bo's report of the reply", seenBy: ['member-b', 'lead-b', 'national'] },
    // Knowledge: secrets of files and share links.
    // Events: region B's event is for region B; its notes are for its organisers.
    {
      text: 'Bramblecombe',
      what: "region B's event (for region B only)",
      seenBy: ['member-b', 'lead-b', 'facilitator-b', 'national'],
    },
    {
      text: 'Gannet Thornbury',
      what: "the organisers' notes of region B's event",
      seenBy: ['lead-b', 'national'],
    },
    {
      text: 'Kittiwake Sluice',
      what: "the name of Bo's file on the region-only case study",
      seenBy: ['member-b', ...bStaff],
    },
    {
      text: 'Ptarmigan Spinney',
      what: "the contents of Bo's file on the region-only case study",
      seenBy: ['member-b', ...bStaff],
    },
  ];

  return {
    personas,
    ids: {
      memberB: memberB.user.id,
      mentorB: bea.id,
      erasureMember: erin.id,
      memberBTokenId,
      selfAssessment,
      feedbackRound,
      plan: plan.id,
      goal: goal.id,
      project: project.id,
      conflict: conflict.id,
      formation,
      formationJob,
      intake: intakeB,
      matchingJob,
      set,
      session,
      action: action.id,
      pair,
      run,
      application: application.id,
      quotaRequest: quotaRequest.id,
      funding: funding.id,
      erasureRequest: erasureRequest.id,
      outbox: outbox.id,
      framework: version.framework_id,
      frameworkVersion: version.id,
      phaseKey,
      odsB,
      policyCall,
      policyQuestion,
      policyResponse: policyResponse.id,
      policyTheme,
      policyAssignment,
      policySuggestion: policySuggestion.id,
      suggestionJob,
      policyOutcome,
      policyMilestone,
      policyChallenge: policyChallenge.id,
      policyQuestionToMakers,
      safetyConcern: safetyConcern.id,
      policyMaker: pip.user.id,
      knowledgeItem,
      publicItem,
      knowledgeTopic,
      knowledgeCycle,
      // Knowledge: measures, adoptions, organisations, freshness.
      knowledgeMeasure,
      knowledgeMeasureValue,
      knowledgeAdoption,
      adoptionMeasure,
      adoptionMeasureValue,
      // Knowledge: discussion and moderation.
      knowledgePost,
      knowledgeReply,
      knowledgeReport,
      // Knowledge: search and synonyms.
      synonymGroup,
      // Knowledge: files and share links.
      knowledgeFile,
      shareLink,
      shareToken,
      event,
      eventRegistration,
      eventAgendaItem,
    },
    secrets,
  };
}
