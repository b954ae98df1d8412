import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Agent,
  buildTestApp,
  createUser,
  refusedForm,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { rowCounts } from '../../../test/security/hostile-values.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';
import { addMember, location, signedIn, trustsOf } from '../../../test/journeys/support.ts';

// Discussion and moderation through the real routes: pages as a browser submits them, the JSON API
// with the same session. Region B's case study is readable in region B only.

const A = 'Q34';
const B = 'Q35';

let ctx: TestContext;
type Person = { id: number; email: string; name: string; agent: Agent };
let owner: Person; // Olu owns the case study
let asker: Person; // Ash asks the question
let replier: Person; // Rae answers it
let follower: Person; // Fen follows the item
let outsider: Person; // Oz, a member in region A
let leadA: Person;
let leadB: Person;
let partner: Person;
let item: number;
let otherItem: number;
const TITLE = 'Frailty at the front door of Brackenfold';

async function member(name: string, regionCode: string): Promise<Person> {
  const [trust] = await trustsOf(ctx, regionCode, 1);
  const user = await addMember(ctx, {
    regionCode,
    name,
    profession: 'nurse',
    organisationId: trust!,
    jobTitle: 'Ward sister',
  });
  return { ...user, agent: await signedIn(ctx, user.email) };
}

async function staff(name: string, role: 'regional-lead' | 'partner', regionCode: string | null) {
  const user = await createUser(ctx, [{ role, regionCode }], { name });
  return { ...user, agent: await signedIn(ctx, user.email) };
}

const discussion = (itemId = item) => `/knowledge/items/${itemId}/discussion`;
const postIdOf = (res: { statusCode: number; body: string; headers: Record<string, unknown> }) =>
  Number(/#post-(\d+)$/.exec(location(res))?.[1]);

async function outboxTo(email: string, kind: string) {
  return ctx.db
    .selectFrom('outbox')
    .select(['subject', 'body_text'])
    .where('to_address', '=', email.toLowerCase())
    .where('kind', '=', kind)
    .orderBy('id')
    .execute();
}

async function audits(entityId: number, action: string) {
  return ctx.db
    .selectFrom('audit_log')
    .select(['actor_user_id', 'summary'])
    .where('entity_type', '=', 'knowledge_post')
    .where('entity_id', '=', String(entityId))
    .where('action', '=', action)
    .execute();
}

async function search(agent: Agent, q: string) {
  const res = await agent.get(`/api/v1/knowledge/search?q=${encodeURIComponent(q)}`, {
    accept: 'application/json',
  });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return (res.json() as { results: { type: string; postId: number | null }[] }).results;
}

beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
  owner = await member('Olu Owner', B);
  asker = await member('Ash Asker', B);
  replier = await member('Rae Replier', B);
  follower = await member('Fen Follower', B);
  outsider = await member('Oz Outsider', A);
  leadA = await staff('Lana Lead', 'regional-lead', A);
  leadB = await staff('Luca Lead', 'regional-lead', B);
  partner = await staff('Parveen Partner', 'partner', null);
  item = await seedItem(ctx.db, {
    ownerUserId: owner.id,
    title: TITLE,
    summary: 'Same-day assessment of frail older people.',
    visibility: 'region',
    regionCode: B,
  });
  otherItem = await seedItem(ctx.db, {
    ownerUserId: owner.id,
    title: 'Discharge to assess everywhere',
    summary: 'A network-wide resource.',
    visibility: 'network',
  });
});
afterAll(async () => {
  await ctx?.close();
});

describe('discussion on a library item', () => {
  let question: number;
  let firstReply: number;
  let secondReply: number;

  it('a question with a mention; followers and the mentioned are emailed through the outbox', async () => {
    await follower.agent.get(discussion());
    location(await follower.agent.post(`/knowledge/items/${item}/follow`));
    expect(visibleText((await follower.agent.get(discussion())).body)).toContain('You follow this item');

    await asker.agent.get(discussion());
    const posted = await asker.agent.post(`/knowledge/items/${item}/posts`, {
      kind: 'question',
      body: 'How do you staff **frailty** triage overnight?',
      mentions: replier.email.toUpperCase(),
    });
    question = postIdOf(posted);
    const page = await asker.agent.get(discussion());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>frailty</strong>');
    const text = visibleText(page.body);
    expect(text).toContain('Question');
    expect(text).toContain('Mentions: Rae Replier');
    expect(text).toContain('Your question is posted');

    const mention = await outboxTo(replier.email, 'knowledge-mention');
    expect(mention).toHaveLength(1);
    expect(mention[0]!.subject).toBe('Ash Asker mentioned you in a discussion');
    expect(mention[0]!.body_text).toContain(
      `http://cln.test/knowledge/items/${item}/discussion#post-${question}`,
    );
    // The mentioned person is told once (not again as a follower); Fen and the item's owner are told.
    expect(await outboxTo(replier.email, 'knowledge-new-post')).toHaveLength(0);
    for (const who of [follower, owner]) {
      const notices = await outboxTo(who.email, 'knowledge-new-post');
      expect(notices.map((n) => n.subject)).toEqual([`New question on "${TITLE}"`]);
      expect(notices[0]!.body_text).toContain('How do you staff frailty triage overnight?');
    }
    expect(await outboxTo(asker.email, 'knowledge-new-post')).toHaveLength(0);
    expect(await audits(question, 'knowledge.post.create')).toHaveLength(1);
    const mentions = await ctx.db
      .selectFrom('knowledge_post_mentions')
      .select('user_id')
      .where('post_id', '=', question)
      .execute();
    expect(mentions.map((m) => m.user_id)).toEqual([replier.id]);
  });

  it('replies through the page and the API; the asker is told of each', async () => {
    await replier.agent.get(`/knowledge/posts/${question}/reply`);
    firstReply = postIdOf(
      await replier.agent.post(`/knowledge/posts/${question}/replies`, {
        body: 'Two nurses from 8pm, with a geriatrician on call.',
        mentions: '',
      }),
    );
    const viaApi = await owner.agent.api('POST', `/api/v1/knowledge/posts/${question}/replies`, {
      body: 'We use a frailty practitioner until midnight.',
    });
    expect(viaApi.statusCode, viaApi.body).toBe(201);
    const answer = viaApi.json() as {
      post: { id: number; parentId: number };
      thread: { replies: unknown[] };
    };
    secondReply = answer.post.id;
    expect(answer.post.parentId).toBe(question);
    expect(answer.thread.replies).toHaveLength(2);
    // A reply to a reply joins the same thread.
    const nested = await follower.agent.api('POST', `/api/v1/knowledge/posts/${firstReply}/replies`, {
      body: 'Does the geriatrician come in?',
    });
    expect(nested.statusCode, nested.body).toBe(201);
    expect((nested.json() as { post: { parentId: number } }).post.parentId).toBe(question);

    const told = await outboxTo(asker.email, 'knowledge-new-post');
    expect(told.map((n) => n.subject)).toEqual([
      `New reply on "${TITLE}"`,
      `New reply on "${TITLE}"`,
      `New reply on "${TITLE}"`,
    ]);
    const text = visibleText((await asker.agent.get(discussion())).body);
    expect(text).toContain('3 replies');
    expect(text).toContain('Two nurses from 8pm');
  });

  it('the asker or the item’s owner accepts an answer; anyone else is refused and nothing changes', async () => {
    // Rae wrote a reply but neither asked nor owns the item: 403 on the page and the API.
    await replier.agent.get(discussion());
    const refused = await replier.agent.post(`/knowledge/posts/${question}/accept`, {
      replyId: String(firstReply),
    });
    expect(refused.statusCode).toBe(403);
    expect(
      (await replier.agent.api('POST', `/api/v1/knowledge/posts/${question}/accept`, { replyId: firstReply }))
        .statusCode,
    ).toBe(403);
    expect(await audits(question, 'knowledge.post.accept')).toHaveLength(0);
    expect(
      (
        await ctx.db
          .selectFrom('knowledge_posts')
          .select('accepted_reply_id')
          .where('id', '=', question)
          .executeTakeFirstOrThrow()
      ).accepted_reply_id,
    ).toBeNull();
    // Rae sees no button to accept with.
    expect((await replier.agent.get(discussion())).body).not.toContain('Mark as the accepted answer');

    // Ash accepts the second reply on the page: it is shown first, marked.
    const page = await asker.agent.get(discussion());
    expect(page.body).toContain('Mark as the accepted answer');
    location(await asker.agent.post(`/knowledge/posts/${question}/accept`, { replyId: String(secondReply) }));
    const after = await asker.agent.get(discussion());
    expect(visibleText(after.body)).toContain('Accepted answer');
    expect(after.body.indexOf(`id="post-${secondReply}"`)).toBeLessThan(
      after.body.indexOf(`id="post-${firstReply}"`),
    );

    // The owner changes it to the first reply through the API.
    const changed = await owner.agent.api('POST', `/api/v1/knowledge/posts/${question}/accept`, {
      replyId: firstReply,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const thread = (
      changed.json() as { thread: { acceptedReplyId: number; replies: { id: number; accepted: boolean }[] } }
    ).thread;
    expect(thread.acceptedReplyId).toBe(firstReply);
    expect(thread.replies[0]).toMatchObject({ id: firstReply, accepted: true });
    const accepted = await audits(question, 'knowledge.post.accept');
    expect(accepted.map((a) => a.actor_user_id)).toEqual([asker.id, owner.id]);
  });

  it('refuses bad input with the error summary and saves nothing; hostile Markdown is inert', async () => {
    const before = await rowCounts(ctx.db);
    const title = `Discussion: ${TITLE}`;
    await asker.agent.get(discussion());
    expect(
      refusedForm(
        await asker.agent.post(`/knowledge/items/${item}/posts`, { kind: 'comment', body: '   ' }),
        400,
        title,
      ),
    ).toEqual([{ href: '#body', text: 'Enter your post' }]);
    const long = refusedForm(
      await asker.agent.post(`/knowledge/items/${item}/posts`, { kind: 'comment', body: 'x'.repeat(10_001) }),
      400,
      title,
    );
    expect(long).toEqual([{ href: '#body', text: 'Your post must be 10,000 characters or fewer' }]);
    // Someone who cannot read the item, and an address no one has, are refused alike.
    const mentions = refusedForm(
      await asker.agent.post(`/knowledge/items/${item}/posts`, {
        kind: 'comment',
        body: 'See this',
        mentions: `${outsider.email}\nnobody.at.all@nhs.test`,
      }),
      400,
      title,
    );
    expect(mentions.map((e) => e.href)).toEqual(['#mentions']);
    expect(mentions[0]!.text).toContain(`${outsider.email}, nobody.at.all@nhs.test cannot be mentioned`);
    expect(
      refusedForm(
        await asker.agent.post(`/knowledge/items/${item}/posts`, {
          kind: 'comment',
          body: 'Hi',
          mentions: 'not-an-email',
        }),
        400,
        title,
      ).map((e) => e.href),
    ).toEqual(['#mentions']);
    // A reply page with nothing in it.
    await asker.agent.get(`/knowledge/posts/${question}/reply`);
    expect(
      refusedForm(
        await asker.agent.post(`/knowledge/posts/${question}/replies`, { body: '' }),
        400,
        'Reply to a post',
      ),
    ).toEqual([{ href: '#body', text: 'Enter your post' }]);
    // A report without a reason.
    await follower.agent.get(`/knowledge/posts/${question}/report`);
    expect(
      refusedForm(
        await follower.agent.post(`/knowledge/posts/${question}/report`, { reason: '' }),
        400,
        'Report a post to the moderators',
      ).map((e) => e.href),
    ).toEqual(['#reason']);
    // The API: an over-long body, and a reply's parent given in the body (the path names it).
    const over = await asker.agent.api('POST', `/api/v1/knowledge/items/${item}/posts`, {
      body: 'x'.repeat(10_001),
    });
    expect(over.statusCode).toBe(400);
    const withParent = await asker.agent.api('POST', `/api/v1/knowledge/items/${otherItem}/posts`, {
      body: 'A reply to a post on another item',
      parentId: question,
    });
    expect(withParent.statusCode).toBe(400);
    expect(await rowCounts(ctx.db)).toEqual(before);
    // Accepting, as its asker, a reply from another item's discussion.
    await follower.agent.get(discussion(otherItem));
    const elsewhereQuestion = postIdOf(
      await follower.agent.post(`/knowledge/items/${otherItem}/posts`, { kind: 'question', body: 'Anyone?' }),
    );
    await follower.agent.get(discussion(otherItem));
    const beforeAccept = await rowCounts(ctx.db);
    const wrong = await follower.agent.post(`/knowledge/posts/${elsewhereQuestion}/accept`, {
      replyId: String(firstReply),
    });
    expect(refusedForm(wrong, 409, 'Discussion: Discharge to assess everywhere')).toEqual([
      { href: '', text: 'Choose one of the replies to this question' },
    ]);
    const wrongApi = await follower.agent.api('POST', `/api/v1/knowledge/posts/${elsewhereQuestion}/accept`, {
      replyId: firstReply,
    });
    expect(wrongApi.statusCode).toBe(409);
    // Someone else's post cannot be edited or deleted.
    await replier.agent.get(discussion());
    expect(
      (await replier.agent.post(`/knowledge/posts/${question}/edit`, { body: 'Mine now' })).statusCode,
    ).toBe(403);
    expect((await replier.agent.api('DELETE', `/api/v1/knowledge/posts/${question}`)).statusCode).toBe(403);
    expect(await rowCounts(ctx.db)).toEqual(beforeAccept);
    const kept = await ctx.db
      .selectFrom('knowledge_posts')
      .select(['body', 'accepted_reply_id'])
      .where('id', 'in', [question, elsewhereQuestion])
      .orderBy('id')
      .execute();
    expect(kept).toEqual([
      { body: 'How do you staff **frailty** triage overnight?', accepted_reply_id: firstReply },
      { body: 'Anyone?', accepted_reply_id: null },
    ]);

    // Hostile Markdown is kept as written and shown inert.
    await asker.agent.get(discussion());
    location(
      await asker.agent.post(`/knowledge/items/${item}/posts`, {
        kind: 'comment',
        body: '[click me](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)> [ok](https://www.nhs.uk)',
      }),
    );
    const shown = (await follower.agent.get(discussion())).body;
    expect(shown).not.toMatch(/href="javascript/i);
    expect(shown).not.toContain('<script>alert');
    expect(shown).not.toMatch(/<img[^>]*onerror/i);
    expect(shown).toContain('href="https://www.nhs.uk"');
  });
});

describe('moderation', () => {
  let post: number;

  it('report, hide and restore are audited; a hidden post is neither shown to members nor found', async () => {
    await replier.agent.get(discussion());
    post = postIdOf(
      await replier.agent.post(`/knowledge/items/${item}/posts`, {
        kind: 'comment',
        body: 'The Wolverstone rota works for us.',
      }),
    );
    expect((await search(follower.agent, 'Wolverstone')).map((r) => r.postId)).toEqual([post]);
    // Nothing in the queue yet; then Fen reports the post (once).
    expect((await leadB.agent.api('GET', '/api/v1/knowledge/moderation')).json()).toMatchObject({ total: 0 });
    await follower.agent.get(`/knowledge/posts/${post}/report`);
    location(await follower.agent.post(`/knowledge/posts/${post}/report`, { reason: 'It names a patient' }));
    expect(await audits(post, 'knowledge.post.report')).toHaveLength(1);
    await follower.agent.get(`/knowledge/posts/${post}/report`);
    expect(
      refusedForm(
        await follower.agent.post(`/knowledge/posts/${post}/report`, { reason: 'Again' }),
        409,
        'Report a post to the moderators',
      ).map((e) => e.text),
    ).toEqual(['You have already reported this post. A moderator will look at it.']);

    // Region A's lead neither sees it in their queue nor reaches it.
    expect(visibleText((await leadA.agent.get('/knowledge/moderation')).body)).toContain(
      'Nothing is waiting for a moderator',
    );
    expect((await leadA.agent.get(`/knowledge/posts/${post}/moderate`)).statusCode).toBe(404);
    const beforeA = await rowCounts(ctx.db);
    expect(
      (await leadA.agent.api('POST', `/api/v1/knowledge/posts/${post}/hide`, { reason: 'Not mine' }))
        .statusCode,
    ).toBe(404);
    expect(await rowCounts(ctx.db)).toEqual(beforeA);
    // A member is not a moderator.
    expect((await follower.agent.get('/knowledge/moderation')).statusCode).toBe(403);

    // Region B's lead sees the report in the queue, and must give a reason to hide it.
    const queue = visibleText((await leadB.agent.get('/knowledge/moderation')).body);
    expect(queue).toContain(`A post by Rae Replier on ${TITLE}`);
    expect(queue).toContain('It names a patient');
    expect(queue).toContain('1 open report');
    await leadB.agent.get(`/knowledge/posts/${post}/moderate`);
    const beforeHide = await rowCounts(ctx.db);
    expect(
      refusedForm(
        await leadB.agent.post(`/knowledge/posts/${post}/hide`, { reason: '' }),
        400,
        'Moderate a post',
      ),
    ).toEqual([{ href: '#reason', text: 'Enter why you are hiding this post' }]);
    expect(await rowCounts(ctx.db)).toEqual(beforeHide);
    location(await leadB.agent.post(`/knowledge/posts/${post}/hide`, { reason: 'Patient details' }));
    const hid = await audits(post, 'knowledge.post.hide');
    expect(hid.map((a) => a.actor_user_id)).toEqual([leadB.id]);
    expect(hid[0]!.summary).toContain('1 open report closed');
    const emailed = await outboxTo(replier.email, 'knowledge-post-hidden');
    expect(emailed).toHaveLength(1);
    expect(emailed[0]!.body_text).toContain('The reason given: Patient details');

    // Members see that a post was hidden, not its words; the API gives no body; search finds nothing.
    const seen = visibleText((await follower.agent.get(discussion())).body);
    expect(seen).toContain('This post was hidden by a moderator.');
    expect(seen).not.toContain('Wolverstone');
    const fromApi = await follower.agent.api('GET', `/api/v1/knowledge/posts/${post}`);
    expect(fromApi.json()).toMatchObject({ post: { hidden: true, body: null, mentions: [] } });
    expect(fromApi.body).not.toContain('Wolverstone');
    expect(await search(follower.agent, 'Wolverstone')).toEqual([]);
    expect(await search(leadB.agent, 'Wolverstone')).toEqual([]);
    expect(visibleText((await follower.agent.get('/knowledge/search?q=Wolverstone')).body)).not.toContain(
      'Wolverstone rota',
    );
    // A hidden post takes no replies from members, and cannot be reported again.
    expect(
      (await follower.agent.api('POST', `/api/v1/knowledge/posts/${post}/replies`, { body: 'Why?' }))
        .statusCode,
    ).toBe(409);
    // Its author and the moderators still read it.
    expect(visibleText((await replier.agent.get(discussion())).body)).toContain('Wolverstone');
    expect(visibleText((await leadB.agent.get(discussion())).body)).toContain('Wolverstone');
    // The queue shows it hidden, its report closed.
    const hiddenQueue = (await leadB.agent.api('GET', '/api/v1/knowledge/moderation')).json() as {
      entries: { postId: number; hidden: boolean; openReports: number }[];
    };
    expect(hiddenQueue.entries).toEqual([
      expect.objectContaining({ postId: post, hidden: true, openReports: 0 }),
    ]);

    // Restored: everyone sees it and search finds it again.
    await leadB.agent.get(`/knowledge/posts/${post}/moderate`);
    location(await leadB.agent.post(`/knowledge/posts/${post}/restore`));
    expect((await audits(post, 'knowledge.post.restore')).map((a) => a.actor_user_id)).toEqual([leadB.id]);
    expect(visibleText((await follower.agent.get(discussion())).body)).toContain(
      'The Wolverstone rota works',
    );
    expect((await search(follower.agent, 'Wolverstone')).map((r) => r.postId)).toEqual([post]);
    expect((await leadB.agent.api('GET', '/api/v1/knowledge/moderation')).json()).toMatchObject({ total: 0 });
  });

  it('keeping a reported post closes its reports; the national team moderates everywhere', async () => {
    const national = await createUser(ctx, [{ role: 'national', regionCode: null }]);
    const nationalAgent = await signedIn(ctx, national.email);
    const report = await follower.agent.api('POST', `/api/v1/knowledge/posts/${post}/reports`, {
      reason: 'Still unsure about it',
    });
    expect(report.statusCode, report.body).toBe(201);
    const queue = (await nationalAgent.api('GET', '/api/v1/knowledge/moderation')).json() as {
      entries: { postId: number; reasons: string[] }[];
    };
    expect(queue.entries).toEqual([
      expect.objectContaining({ postId: post, reasons: ['Still unsure about it'] }),
    ]);
    const kept = await nationalAgent.api('POST', `/api/v1/knowledge/posts/${post}/keep`, {});
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await audits(post, 'knowledge.post.keep')).map((a) => a.actor_user_id)).toEqual([national.id]);
    expect((await nationalAgent.api('POST', `/api/v1/knowledge/posts/${post}/keep`, {})).statusCode).toBe(
      409,
    );
    expect((await nationalAgent.api('GET', '/api/v1/knowledge/moderation')).json()).toMatchObject({
      total: 0,
    });
  });

  it('an edit is searched by its new words; a deleted post is gone from search', async () => {
    const edited = await replier.agent.api('PATCH', `/api/v1/knowledge/posts/${post}`, {
      body: 'The Thistlecombe rota works for us.',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(await search(follower.agent, 'Wolverstone')).toEqual([]);
    expect((await search(follower.agent, 'Thistlecombe')).map((r) => r.postId)).toEqual([post]);
    expect(await audits(post, 'knowledge.post.edit')).toHaveLength(1);
    expect((await replier.agent.api('DELETE', `/api/v1/knowledge/posts/${post}`)).statusCode).toBe(204);
    expect(await search(follower.agent, 'Thistlecombe')).toEqual([]);
    const words = await ctx.db
      .selectFrom('knowledge_words')
      .select('word')
      .where('word', '=', 'thistlecombe')
      .execute();
    expect(words).toEqual([]);
  });
});

describe('who reaches a discussion', () => {
  it('people outside the item’s visibility get 404; read-only and signed-out people are refused', async () => {
    const [q] = await ctx.db
      .selectFrom('knowledge_posts')
      .select('id')
      .where('item_id', '=', item)
      .where('kind', '=', 'question')
      .execute();
    const before = await rowCounts(ctx.db);
    // Oz, a member of region A, and the partner (no region) cannot read region B's item.
    for (const p of [outsider, partner]) {
      expect((await p.agent.get(discussion())).statusCode).toBe(404);
      expect((await p.agent.get(`/knowledge/posts/${q!.id}/report`)).statusCode).toBe(404);
      expect((await p.agent.api('GET', `/api/v1/knowledge/items/${item}/discussion`)).statusCode).toBe(404);
      expect((await p.agent.api('GET', `/api/v1/knowledge/posts/${q!.id}`)).statusCode).toBe(404);
      expect(
        (await p.agent.api('POST', `/api/v1/knowledge/posts/${q!.id}/reports`, { reason: 'Looks odd' }))
          .statusCode,
      ).toBe(404);
      expect((await p.agent.api('PUT', `/api/v1/knowledge/items/${item}/follow`)).statusCode).toBe(404);
    }
    expect((await outsider.agent.get(`/knowledge/posts/${q!.id}/reply`)).statusCode).toBe(404);
    await outsider.agent.get('/knowledge');
    expect(
      (await outsider.agent.post(`/knowledge/items/${item}/posts`, { kind: 'comment', body: 'Hello' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await outsider.agent.api('POST', `/api/v1/knowledge/posts/${q!.id}/replies`, { body: 'Hello' }))
        .statusCode,
    ).toBe(404);
    // The partner reads the network's items but does not post on them.
    expect((await partner.agent.get(discussion(otherItem))).statusCode).toBe(200);
    expect(
      (await partner.agent.api('POST', `/api/v1/knowledge/items/${otherItem}/posts`, { body: 'Hello' }))
        .statusCode,
    ).toBe(403);
    // Signed out: to the sign-in page, or 401 from the API.
    const signedOut = await ctx.app.inject({ method: 'GET', url: discussion() });
    expect(signedOut.statusCode).toBe(303);
    expect(String(signedOut.headers.location)).toMatch(/^\/sign-in/);
    const anon = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/knowledge/items/${item}/discussion`,
      headers: { accept: 'application/json' },
    });
    expect(anon.statusCode).toBe(401);
    expect(await rowCounts(ctx.db)).toEqual(before);
    // The question's words reached none of them.
    expect(await search(outsider.agent, 'frailty triage overnight')).toEqual([]);
  });
});
