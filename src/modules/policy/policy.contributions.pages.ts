import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../platform/errors.ts';
import {
  paginationFor,
  parseForm,
  parsePathParams,
  parseQuery,
  pathId,
  withFormErrors,
} from '../../platform/forms.ts';
import type { PolicyContributions } from './policy.contributions.ts';
import { callChallengeParams, challengeAnswerInput, challengeInput } from './policy.outcomes.schemas.ts';
import { pageQuery } from '../../platform/schemas.ts';

const V = 'modules/policy/views/contributions';
const owner = { access: ['policy-maker'] as const, scope: 'call-owner' as const };
type Extra = { values?: unknown; errors?: FieldError[] };

/** Closing the loop: a member's contributions and "this misses my point"; the team's answers to it. */
export async function contributionsPages(app: FastifyInstance, opts: { contributions: PolicyContributions }) {
  const { contributions } = opts;

  app.get('/policy/contributions', { config: { access: ['member'] } }, async (request, reply) => {
    const { page } = parseQuery(pageQuery, request.query);
    const data = await contributions.myContributions(request.actor!, page);
    return reply.page(`${V}/contributions.njk`, {
      pageTitle: 'Your contributions',
      gridClass: 'nhsuk-grid-column-full',
      ...data,
      pagination: paginationFor(page, data.pageSize, data.total, (p) => `/policy/contributions?page=${p}`),
    });
  });

  async function challengePage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    const response = await contributions.responseToChallenge(request.actor!, id);
    return reply.page(`${V}/challenge.njk`, {
      pageTitle: 'This misses my point',
      backHref: '/policy/contributions',
      response,
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get(
    '/policy/contributions/:id/challenge',
    { config: { access: ['member'], scope: 'own' } },
    (request, reply) => challengePage(request, reply, pathId(request.params)),
  );

  app.post(
    '/policy/contributions/:id/challenge',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => challengePage(request, reply, id, { values: request.body, errors }),
        async () => {
          const input = parseForm(challengeInput, request.body);
          await contributions.challenge(request.actor!, id, input.body);
          reply.flash('Thank you: the team will answer, and you will see the answer here');
          return reply.redirect('/policy/contributions', 303);
        },
        { messageField: 'body' },
      );
    },
  );

  app.get('/policy/calls/:id/challenges', { config: owner }, async (request, reply) => {
    const id = pathId(request.params);
    const { page } = parseQuery(pageQuery, request.query);
    const data = await contributions.challengesOf(request.actor!, id, page);
    return reply.page(`${V}/challenges.njk`, {
      pageTitle: `Challenges: ${data.call.title}`,
      gridClass: 'nhsuk-grid-column-full',
      backHref: `/policy/calls/${id}/outcomes`,
      ...data,
      pagination: paginationFor(
        page,
        data.pageSize,
        data.total,
        (p) => `/policy/calls/${id}/challenges?page=${p}`,
      ),
    });
  });

  async function answerPage(
    request: FastifyRequest,
    reply: FastifyReply,
    p: { id: number; challengeId: number },
    extra: Extra = {},
  ) {
    const data = await contributions.challengeToAnswer(request.actor!, p.id, p.challengeId);
    return reply.page(`${V}/answer.njk`, {
      pageTitle: 'Answer a challenge',
      backHref: `/policy/calls/${p.id}/challenges`,
      ...data,
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id/challenges/:challengeId', { config: owner }, (request, reply) =>
    answerPage(request, reply, parsePathParams(callChallengeParams, request.params)),
  );

  app.post('/policy/calls/:id/challenges/:challengeId', { config: owner }, async (request, reply) => {
    const p = parsePathParams(callChallengeParams, request.params);
    return withFormErrors(
      reply,
      (errors) => answerPage(request, reply, p, { values: request.body, errors }),
      async () => {
        const input = parseForm(challengeAnswerInput, request.body);
        await contributions.answerChallenge(request.actor!, p.id, p.challengeId, input.answer);
        reply.flash('Answer sent: the member has been emailed');
        return reply.redirect(`/policy/calls/${p.id}/challenges`, 303);
      },
      { messageField: 'answer' },
    );
  });
}
