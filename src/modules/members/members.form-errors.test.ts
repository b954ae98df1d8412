import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, refusedForm, signedInAgent, type TestContext } from '../../../test/app.ts';

// The profile's project and photo forms, sent with a bad answer or against a broken rule: the page
// again at 400 (409 for a rule) with the NHS error summary linking to the field, nothing saved.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const projectsOf = (userId: number) =>
  ctx.db.selectFrom('member_projects').select('title').where('user_id', '=', userId).execute();

describe('form errors on the profile', () => {
  it('a project without a title keeps the summary; the 21st project is refused on the profile (409)', async () => {
    const { agent, user } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    await agent.get('/profile');
    const res = await agent.post('/profile/projects', {
      title: ' ',
      summary: 'A virtual ward for frail patients',
      stage: 'idea',
    });
    expect(refusedForm(res, 400, 'Your profile')).toEqual([{ href: '#title', text: 'Enter a title' }]);
    expect(res.body).toContain('A virtual ward for frail patients');
    expect(await projectsOf(user.id)).toEqual([]);

    for (let i = 1; i <= 20; i++) {
      const added = await agent.post('/profile/projects', {
        title: `Project ${i}`,
        summary: 'Work',
        stage: 'idea',
      });
      expect(added.statusCode).toBe(303);
    }
    await agent.get('/profile');
    const tooMany = await agent.post('/profile/projects', {
      title: 'Project 21',
      summary: 'One more',
      stage: 'idea',
    });
    expect(refusedForm(tooMany, 409, 'Your profile')).toEqual([
      { href: '', text: 'You can list up to 20 projects. Remove one first.' },
    ]);
    expect(tooMany.body).toContain('value="Project 21"');
    expect(await projectsOf(user.id)).toHaveLength(20);
  });

  it('a photo form sent without a photo', async () => {
    const { agent, user } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    await agent.get('/profile/photo');
    const res = await agent.post('/profile/photo', {});
    expect(refusedForm(res, 400, 'Your photo')).toEqual([{ href: '#photo', text: 'Select a photo' }]);
    expect(
      await ctx.db.selectFrom('member_photos').select('user_id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
  });
});
