import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Agent,
  buildTestApp,
  createUser,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { themesForResponse } from './index.ts';

let ctx: TestContext;
let owner: { agent: Agent; user: { id: number; name: string } };
let otherMaker: { agent: Agent; user: { id: number } };
let national: { agent: Agent; user: { id: number } };
let member: { agent: Agent; user: { id: number } };
let lead: { agent: Agent; user: { id: number } };

beforeAll(async () => {
  ctx = await buildTestApp();
  owner = await signedInAgent(ctx, [{ role: 'policy-maker', regionCode: null }]);
  otherMaker = await signedInAgent(ctx, [{ role: 'policy-maker', regionCode: null }]);
  national = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
  member = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }]);
  lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q34' }]);
});
afterAll(async () => {
  await ctx?.close();
});

const ANSWERS = [
  {
    text: 'Rota gaps at night are filled by agency staff who do not know the department.',
    region: 'Q34',
    profession: 'nurse',
    setting: 'acute',
  },
  {
    text: 'Ambulance handover delays keep crews outside for hours.',
    region: 'Q35',
    profession: 'doctor',
    setting: 'ambulance',
  },
  {
    text: 'We cannot see the GP record, so medication histories are guessed.',
    region: 'Q34',
    profession: 'pharmacist',
    setting: 'acute',
  },
];

/** A closed call of the owner's with two text questions and three responses (the third confidential). */
async function seedAnalysedCall() {
  const { callId, questionIds } = await seedCall(ctx.db, {
    ownerUserId: owner.user.id,
    title: `Front door ${Math.random().toString(36).slice(2, 6)}`,
    questions: [
      { prompt: 'What would make the biggest difference?' },
      { prompt: 'What else should we know?' },
    ],
  });
  const responseIds: number[] = [];
  for (const [i, a] of ANSWERS.entries()) {
    const respondent = await createUser(ctx, [{ role: 'member', regionCode: a.region }], {
      name: `Respondent ${i + 1}`,
    });
    responseIds.push(
      await seedResponse(ctx.db, {
        callId,
        userId: respondent.id,
        answers: { [questionIds[0]!]: a.text, [questionIds[1]!]: 'Nothing more.' },
        regionCode: a.region,
        profession: a.profession,
        setting: a.setting,
        confidential: i === 2,
      }),
    );
  }
  return { callId, questionIds, responseIds };
}

const themesOf = (questionId: number) =>
  ctx.db
    .selectFrom('policy_themes')
    .selectAll()
    .where('question_id', '=', questionId)
    .orderBy('id')
    .execute();
const liveAssignments = (themeId: number) =>
  ctx.db
    .selectFrom('policy_theme_assignments')
    .selectAll()
    .where('theme_id', '=', themeId)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
const countAssignments = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('policy_theme_assignments')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('analysing a call into themes', () => {
  it('creates themes, counts answers under them with excerpts, merges, splits and keeps every change', async () => {
    const { callId, questionIds, responseIds } = await seedAnalysedCall();
    const [q1, q2] = questionIds as [number, number];
    const [r1, r2, r3] = responseIds as [number, number, number];
    const qUrl = `/policy/calls/${callId}/analysis/questions/${q1}`;

    const overview = await owner.agent.get(`/policy/calls/${callId}/analysis`);
    expect(overview.statusCode).toBe(200);
    expect(visibleText(overview.body)).toContain('Question 1: What would make the biggest difference?');
    expect(visibleText(overview.body)).toContain('3 answers submitted');

    const page = await owner.agent.get(qUrl);
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('Rota gaps at night are filled by agency staff');
    // The owner reads confidential answers: the analysis is internal to the policy team.
    expect(visibleText(page.body)).toContain('We cannot see the GP record');

    // Themes: names unique per question (case-insensitive), never empty.
    const created = await owner.agent.post(`${qUrl}/themes`, {
      name: 'Staffing',
      description: 'Rotas and agency staff',
    });
    expect(created.statusCode).toBe(303);
    const [staffing] = await themesOf(q1);
    expect(created.headers.location).toBe(`/policy/themes/${staffing!.id}`);
    expect(visibleText((await owner.agent.get(`/policy/themes/${staffing!.id}`)).body)).toContain(
      'Theme Staffing added',
    );
    await owner.agent.get(qUrl);
    expect(
      refusedForm(
        await owner.agent.post(`${qUrl}/themes`, { name: 'staffing' }),
        400,
        `Analysis of question 1: ${await callTitle(callId)}`,
      ),
    ).toEqual([
      { href: '#name', text: 'This question already has a theme called Staffing: choose another name' },
    ]);
    expect(
      refusedForm(
        await owner.agent.post(`${qUrl}/themes`, { name: '  ' }),
        400,
        `Analysis of question 1: ${await callTitle(callId)}`,
      )[0]!.text,
    ).toBe('Enter a name for the theme');
    expect(
      refusedForm(
        await owner.agent.post(`${qUrl}/themes`, { name: 'x'.repeat(121) }),
        400,
        `Analysis of question 1: ${await callTitle(callId)}`,
      )[0]!.text,
    ).toContain('120 characters or fewer');
    // The same name on another question is fine.
    expect(
      (
        await owner.agent.post(`/policy/calls/${callId}/analysis/questions/${q2}/themes`, {
          name: 'Staffing',
        })
      ).statusCode,
    ).toBe(303);
    expect(await themesOf(q1)).toHaveLength(1);
    await owner.agent.get(qUrl); // as a browser, past the success message

    // Assignments: an excerpt must be copied from the answer; the response must be this call's.
    const title = `Analysis of question 1: ${await callTitle(callId)}`;
    const badExcerpt = await owner.agent.post(`${qUrl}/assignments?page=1`, {
      responseId: String(r1),
      themeId: String(staffing!.id),
      excerpt: 'agency staff are wonderful',
      sentiment: 'agree',
    });
    expect(refusedForm(badExcerpt, 400, title)).toEqual([
      {
        href: `#excerpt-${r1}`,
        text: 'The excerpt must be copied exactly from the answer: it is not in this answer’s text',
      },
    ]);
    const other = await seedAnalysedCall();
    const foreign = await owner.agent.post(`${qUrl}/assignments?page=1`, {
      responseId: String(other.responseIds[0]),
      themeId: String(staffing!.id),
    });
    expect(refusedForm(foreign, 400, title)[0]!.text).toBe(
      'Choose a submitted response to this question of the call',
    );
    const badSentiment = await owner.agent.post(`${qUrl}/assignments?page=1`, {
      responseId: String(r1),
      themeId: String(staffing!.id),
      sentiment: 'furious',
    });
    expect(refusedForm(badSentiment, 400, title)[0]!.text).toContain('Choose agree, disagree or mixed');
    expect(await countAssignments()).toBe(0);

    const assigned = await owner.agent.post(`${qUrl}/assignments?page=1`, {
      responseId: String(r1),
      themeId: String(staffing!.id),
      excerpt: 'filled by agency staff',
      sentiment: 'agree',
      evidenceRich: 'yes',
    });
    expect(assigned.statusCode).toBe(303);
    expect(assigned.headers.location).toBe(`${qUrl}?page=1#response-${r1}`);
    await owner.agent.get(qUrl);
    const twice = await owner.agent.post(`${qUrl}/assignments?page=1`, {
      responseId: String(r1),
      themeId: String(staffing!.id),
    });
    expect(refusedForm(twice, 400, title)[0]!.text).toBe(
      'This response is already counted under Staffing: change that assignment instead',
    );
    const [a1] = await liveAssignments(staffing!.id);
    expect(a1).toMatchObject({
      response_id: r1,
      excerpt: 'filled by agency staff',
      sentiment: 'agree',
      evidence_rich: true,
      source: 'person',
      assigned_by: owner.user.id,
    });

    // A second theme holding r1 and r2; a response may sit under several themes.
    await owner.agent.post(`${qUrl}/themes`, { name: 'Workforce' });
    const workforce = (await themesOf(q1)).find((t) => t.name === 'Workforce')!;
    for (const r of [r1, r2, r3])
      expect(
        (
          await owner.agent.post(`${qUrl}/assignments?page=1`, {
            responseId: String(r),
            themeId: String(workforce.id),
          })
        ).statusCode,
      ).toBe(303);
    const counted = visibleText((await owner.agent.get(qUrl)).body);
    expect(counted).toContain('Counted under: Staffing (agree) Evidence-rich ; Workforce');
    expect(counted).toMatch(/Workforce Q34: 2, Q35: 1 .* 3/);

    // Merge: not into itself, not across questions; Workforce takes Staffing's answers (r1 is already there).
    const themeTitle = 'Theme: Staffing';
    await owner.agent.get(`/policy/themes/${staffing!.id}`);
    expect(
      refusedForm(
        await owner.agent.post(`/policy/themes/${staffing!.id}/merge`, { intoThemeId: String(staffing!.id) }),
        400,
        themeTitle,
      )[0]!.text,
    ).toBe('A theme cannot be merged into itself: choose another theme');
    const q2Theme = (await themesOf(q2))[0]!;
    expect(
      refusedForm(
        await owner.agent.post(`/policy/themes/${staffing!.id}/merge`, { intoThemeId: String(q2Theme.id) }),
        400,
        themeTitle,
      )[0]!.text,
    ).toBe('Choose a theme of the same question to merge into');
    const merged = await owner.agent.post(`/policy/themes/${staffing!.id}/merge`, {
      intoThemeId: String(workforce.id),
    });
    expect(merged.statusCode).toBe(303);
    expect(merged.headers.location).toBe(`/policy/themes/${workforce.id}`);
    expect((await themesOf(q1)).find((t) => t.id === staffing!.id)!.merged_into_id).toBe(workforce.id);
    expect(await liveAssignments(staffing!.id)).toHaveLength(0);
    expect((await liveAssignments(workforce.id)).map((a) => a.response_id)).toEqual([r1, r2, r3]);
    const mergedPage = visibleText((await owner.agent.get(`/policy/themes/${staffing!.id}`)).body);
    expect(mergedPage).toContain('This theme was merged into Workforce');
    expect(mergedPage).toContain('Removed on merging into Workforce: already counted there');
    // A merged theme no longer changes, and its name is free again among live themes.
    expect(
      (await owner.agent.post(`/policy/themes/${staffing!.id}/rename`, { name: 'Again' })).statusCode,
    ).toBe(409);

    // Split: a new theme takes the chosen answers; at least one must stay.
    const wa = await liveAssignments(workforce.id);
    const wTitle = 'Theme: Workforce';
    await owner.agent.get(`/policy/themes/${workforce.id}`);
    expect(
      refusedForm(
        await owner.agent.post(`/policy/themes/${workforce.id}/split`, { name: 'Handover' }),
        400,
        wTitle,
      ),
    ).toEqual([{ href: '#assignmentIds', text: 'Choose at least one answer to move to the new theme' }]);
    expect(
      refusedForm(
        await owner.agent.post(`/policy/themes/${workforce.id}/split`, {
          name: 'Handover',
          assignmentIds: wa.map((a) => String(a.id)),
        }),
        400,
        wTitle,
      )[0]!.text,
    ).toContain('Leave at least one answer under this theme');
    expect(
      refusedForm(
        await owner.agent.post(`/policy/themes/${workforce.id}/split`, {
          name: 'workforce',
          assignmentIds: [String(wa[1]!.id)],
        }),
        400,
        wTitle,
      ),
    ).toEqual([
      {
        href: '#name-split',
        text: 'This question already has a theme called Workforce: choose another name',
      },
    ]);
    const split = await owner.agent.post(`/policy/themes/${workforce.id}/split`, {
      name: 'Handover',
      assignmentIds: [String(wa[1]!.id)],
    });
    expect(split.statusCode).toBe(303);
    const handover = (await themesOf(q1)).find((t) => t.name === 'Handover')!;
    expect(split.headers.location).toBe(`/policy/themes/${handover.id}`);
    expect((await liveAssignments(handover.id)).map((a) => a.response_id)).toEqual([r2]);
    expect((await liveAssignments(workforce.id)).map((a) => a.response_id)).toEqual([r1, r3]);

    // Rename, change an assignment, remove one (dated, kept).
    expect(
      (
        await owner.agent.post(`/policy/themes/${workforce.id}/rename`, {
          name: 'Workforce and rotas',
          description: '',
        })
      ).statusCode,
    ).toBe(303);
    const toChange = (await liveAssignments(workforce.id))[1]!;
    await owner.agent.get(`/policy/themes/${workforce.id}`);
    expect(
      refusedForm(
        await owner.agent.post(`/policy/assignments/${toChange.id}`, { excerpt: 'not there at all' }),
        400,
        'Theme: Workforce and rotas',
      ),
    ).toEqual([
      {
        href: `#excerpt-a${toChange.id}`,
        text: 'The excerpt must be copied exactly from the answer: it is not in this answer’s text',
      },
    ]);
    expect(
      (
        await owner.agent.post(`/policy/assignments/${toChange.id}`, {
          sentiment: 'mixed',
          excerpt: 'GP record',
        })
      ).statusCode,
    ).toBe(303);
    expect((await owner.agent.post(`/policy/assignments/${toChange.id}/remove`)).statusCode).toBe(303);
    expect((await owner.agent.post(`/policy/assignments/${toChange.id}/remove`)).statusCode).toBe(409);
    const removed = await ctx.db
      .selectFrom('policy_theme_assignments')
      .selectAll()
      .where('id', '=', toChange.id)
      .executeTakeFirstOrThrow();
    expect(removed.removed_by).toBe(owner.user.id);
    expect(removed.removed_at).not.toBeNull();

    const themePage = visibleText((await owner.agent.get(`/policy/themes/${workforce.id}`)).body);
    expect(themePage).toContain('Workforce and rotas');
    expect(themePage).toContain('1 response counted under this theme');
    expect(themePage).toContain('Moved to Handover (split)');
    expect(themePage).toContain('Changed: no sentiment → sentiment mixed, with an excerpt');
    expect(themePage).toContain('Removed');
    const history = await ctx.db
      .selectFrom('policy_assignment_history')
      .select(['action', 'changed_by'])
      .where('assignment_id', '=', toChange.id)
      .orderBy('id')
      .execute();
    expect(history.map((h) => h.action)).toEqual(['assigned', 'changed', 'removed']);
    expect(history.every((h) => h.changed_by === owner.user.id)).toBe(true);

    // Live counts, and the read the outcomes part uses.
    const counts = await owner.agent.api('GET', `/api/v1/policy/calls/${callId}/theme-counts`);
    expect(counts.statusCode).toBe(200);
    const q1Counts = counts.json()[0];
    expect(q1Counts.themes.map((t: { name: string; responses: number }) => [t.name, t.responses])).toEqual([
      ['Workforce and rotas', 1],
      ['Handover', 1],
    ]);
    expect(q1Counts.themes[1].groups.region).toEqual([{ value: 'Q35', responses: 1 }]);
    expect(await themesForResponse(ctx.db, r2)).toEqual([
      { themeId: handover.id, name: 'Handover', questionId: q1 },
    ]);
    expect(await themesForResponse(ctx.db, r3)).toEqual([]);

    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('action', 'like', 'policy.%')
      .where('actor_user_id', '=', owner.user.id)
      .execute();
    const actions = new Set(audit.map((a) => a.action));
    for (const a of [
      'policy.theme.create',
      'policy.theme.merge',
      'policy.theme.split',
      'policy.theme.rename',
      'policy.assignment.create',
      'policy.assignment.update',
      'policy.assignment.remove',
    ])
      expect(actions).toContain(a);
  });

  it('lets the rest of the policy team read without confidential text, and refuses changes outside the call’s owner and the national team', async () => {
    const { callId, questionIds, responseIds } = await seedAnalysedCall();
    const q1 = questionIds[0]!;
    const qUrl = `/policy/calls/${callId}/analysis/questions/${q1}`;
    await owner.agent.get(qUrl);
    await owner.agent.post(`${qUrl}/themes`, { name: 'Records' });
    const theme = (await themesOf(q1))[0]!;
    await owner.agent.post(`${qUrl}/assignments?page=1`, {
      responseId: String(responseIds[2]),
      themeId: String(theme.id),
      excerpt: 'GP record',
    });
    const [assignment] = await liveAssignments(theme.id);

    // Another policy maker reads, but not the confidential answer, and changes nothing.
    const read = await otherMaker.agent.get(qUrl);
    expect(read.statusCode).toBe(200);
    const text = visibleText(read.body);
    expect(text).toContain('Rota gaps at night');
    expect(text).not.toContain('We cannot see the GP record');
    expect(text).toContain(
      'Confidential response: only the call’s owner and the national team read its text',
    );
    expect(text).not.toContain('Add theme');
    const themeRead = await otherMaker.agent.get(`/policy/themes/${theme.id}`);
    expect(themeRead.statusCode).toBe(200);
    expect(visibleText(themeRead.body)).not.toContain('GP record');
    const before = await countAssignments();
    for (const [url, form] of [
      [`${qUrl}/themes`, { name: 'Mine' }],
      [`${qUrl}/assignments?page=1`, { responseId: String(responseIds[0]), themeId: String(theme.id) }],
      [`/policy/themes/${theme.id}/rename`, { name: 'Mine' }],
      [`/policy/themes/${theme.id}/split`, { name: 'Mine', assignmentIds: String(assignment!.id) }],
      [`/policy/assignments/${assignment!.id}/remove`, {}],
      [`${qUrl}/suggestions`, {}],
    ] as const) {
      const res = await otherMaker.agent.post(url, form);
      expect(res.statusCode, url).toBe(403);
    }
    expect(
      (
        await otherMaker.agent.api('POST', `/api/v1/policy/calls/${callId}/themes`, {
          questionId: q1,
          name: 'Mine',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await otherMaker.agent.api('PATCH', `/api/v1/policy/themes/${theme.id}`, { name: 'Mine' })).statusCode,
    ).toBe(403);
    expect(await countAssignments()).toBe(before);
    expect((await themesOf(q1)).map((t) => t.name)).toEqual(['Records']);

    // The national team changes any call's analysis.
    await national.agent.get(qUrl);
    expect(
      (await national.agent.post(`/policy/themes/${theme.id}/rename`, { name: 'Records and IT' })).statusCode,
    ).toBe(303);

    // Members and regional leads never see it.
    for (const who of [member, lead]) {
      await who.agent.get('/');
      expect((await who.agent.get(`/policy/calls/${callId}/analysis`)).statusCode).toBe(403);
      expect((await who.agent.get(qUrl)).statusCode).toBe(403);
      expect((await who.agent.get(`/policy/themes/${theme.id}`)).statusCode).toBe(403);
      expect((await who.agent.post(`/policy/themes/${theme.id}/rename`, { name: 'Mine' })).statusCode).toBe(
        403,
      );
      expect((await who.agent.api('GET', `/api/v1/policy/calls/${callId}/themes`)).statusCode).toBe(403);
    }
    // Unknown records are 404.
    expect((await owner.agent.get(`/policy/calls/${callId + 999}/analysis`)).statusCode).toBe(404);
    expect((await owner.agent.get(`/policy/calls/${callId}/analysis/questions/${q1 + 999}`)).statusCode).toBe(
      404,
    );
    expect((await owner.agent.get(`/policy/themes/999999`)).statusCode).toBe(404);
    expect((await owner.agent.get(`/policy/calls/${callId}/analysis/questions/abc`)).statusCode).toBe(404);
  });

  it('does the same through the JSON API, with strict bodies', async () => {
    const { callId, questionIds, responseIds } = await seedAnalysedCall();
    const q1 = questionIds[0]!;
    await owner.agent.get('/');
    const made = await owner.agent.api('POST', `/api/v1/policy/calls/${callId}/themes`, {
      questionId: q1,
      name: 'Handover <script>alert(1)</script>',
    });
    expect(made.statusCode).toBe(201);
    const themeId = made.json().theme.id;
    expect(
      (
        await owner.agent.api('POST', `/api/v1/policy/calls/${callId}/themes`, {
          questionId: q1,
          name: 'handover <script>alert(1)</script>',
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await owner.agent.api('POST', `/api/v1/policy/calls/${callId}/themes`, {
          questionId: q1,
          name: 'X',
          extra: 1,
        })
      ).statusCode,
    ).toBe(400);
    const assign = await owner.agent.api('POST', `/api/v1/policy/themes/${themeId}/assignments`, {
      responseId: responseIds[1],
      excerpt: 'handover delays',
      sentiment: 'disagree',
      evidenceRich: true,
    });
    expect(assign.statusCode).toBe(201);
    const bad = await owner.agent.api('POST', `/api/v1/policy/themes/${themeId}/assignments`, {
      responseId: responseIds[0],
      excerpt: 'handover delays',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toEqual([
      {
        field: 'excerpt',
        message: 'The excerpt must be copied exactly from the answer: it is not in this answer’s text',
      },
    ]);
    const detail = await owner.agent.api('GET', `/api/v1/policy/themes/${themeId}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      theme: { responses: 1 },
      assignments: [
        { responseId: responseIds[1], sentiment: 'disagree', evidenceRich: true, excerpt: 'handover delays' },
      ],
    });
    expect(detail.json().history[0]).toMatchObject({ action: 'assigned' });
    const patched = await owner.agent.api('PATCH', `/api/v1/policy/assignments/${assign.json().id}`, {
      sentiment: 'mixed',
    });
    expect(patched.statusCode).toBe(200);
    // A PATCH changes only what it sends.
    const kept = (await owner.agent.api('GET', `/api/v1/policy/themes/${themeId}`)).json().assignments[0];
    expect(kept).toMatchObject({ sentiment: 'mixed', excerpt: 'handover delays', evidenceRich: true });
    expect(
      (
        await owner.agent.api('PATCH', `/api/v1/policy/assignments/${assign.json().id}`, {
          sentiment: 'angry',
        })
      ).statusCode,
    ).toBe(400);
    const list = await owner.agent.api('GET', `/api/v1/policy/calls/${callId}/themes`);
    expect(list.json()).toMatchObject([{ id: themeId, responses: 1 }]);
    // Hostile text stays inert on the page.
    const page = await owner.agent.get(`/policy/themes/${themeId}`);
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(
      (await owner.agent.api('POST', `/api/v1/policy/assignments/${assign.json().id}/remove`)).statusCode,
    ).toBe(200);
    expect((await owner.agent.api('GET', `/api/v1/policy/themes/${themeId}`)).json().theme.responses).toBe(0);
  });
});

async function callTitle(callId: number) {
  return (
    await ctx.db.selectFrom('policy_calls').select('title').where('id', '=', callId).executeTakeFirstOrThrow()
  ).title;
}
