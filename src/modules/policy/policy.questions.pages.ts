import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkQuery,
  paginationFor,
  parseForm,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import { hasRole } from '../../platform/permissions.ts';
import type { PolicyQuestions } from './policy.questions.ts';
import {
  ANSWER_MAX,
  answerInput,
  QUESTION_BODY_MAX,
  QUESTION_TITLE_MAX,
  questionInput,
  questionListQuery,
} from './policy.questions.schemas.ts';

const V = 'modules/policy/views/questions';
const readers = { access: ['member', 'policy-maker'] as const };
const scoped = { ...readers, scope: 'question' as const };

const TAB_LABELS = { waiting: 'Waiting for an answer', answered: 'Answered', mine: 'Your questions' };

/** Questions to policy makers: the list (waiting, answered, mine), asking, and one question's page. */
export async function questionsPages(app: FastifyInstance, opts: { questions: PolicyQuestions }) {
  const { questions } = opts;

  app.navItems.push({ href: '/policy/questions', text: 'Questions', roles: ['member', 'policy-maker'] });

  app.get('/policy/questions', { config: readers }, async (request, reply) => {
    const checked = checkQuery(questionListQuery, request.query);
    const query = checked.ok ? checked.data : { tab: 'waiting' as const, q: null, page: 1 };
    const list = await questions.listQuestions(request.actor!, query);
    const keep = { tab: list.tab, q: list.q };
    if (!checked.ok) reply.status(400);
    return reply.page(`${V}/list.njk`, {
      pageTitle: `Questions to policy makers: ${TAB_LABELS[list.tab].toLowerCase()}`,
      gridClass: 'nhsuk-grid-column-full',
      list,
      tabs: (Object.keys(TAB_LABELS) as (keyof typeof TAB_LABELS)[]).map((t) => ({
        href: `/policy/questions${queryString({ tab: t })}`,
        text: TAB_LABELS[t],
        current: t === list.tab,
      })),
      canAsk: hasRole(request.actor!, 'member'),
      errors: checked.ok ? undefined : checked.errors,
      values: { q: checked.ok ? (list.q ?? '') : '' },
      pagination: paginationFor(
        list.page,
        list.pageSize,
        list.total,
        (p) => `/policy/questions${queryString(keep, p)}`,
      ),
    });
  });

  function askPage(reply: FastifyReply, extra: Record<string, unknown> = {}) {
    return reply.page(`${V}/new.njk`, {
      pageTitle: 'Ask policy makers a question',
      backHref: '/policy/questions',
      limits: { title: QUESTION_TITLE_MAX, body: QUESTION_BODY_MAX },
      values: { visibility: 'network' },
      ...extra,
    });
  }

  app.get('/policy/questions/new', { config: { access: ['member'] } }, (_request, reply) => askPage(reply));

  app.post('/policy/questions', { config: { access: ['member'] } }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) => askPage(reply, { errors, values: request.body }),
      async () => {
        const input = parseForm(questionInput, request.body);
        const id = await questions.askQuestion(request.actor!, input);
        reply.flash(
          input.safetyConcern
            ? 'Your question has been sent. As you flagged a patient-safety concern, a named safety lead has been told at once and will acknowledge it.'
            : input.visibility === 'network'
              ? 'Your question has been put to policy makers. Members of the network can read and support it.'
              : 'Your question has been sent privately to the policy team.',
        );
        return reply.redirect(`/policy/questions/${id}`, 303);
      },
    ),
  );

  async function questionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Record<string, unknown> = {},
  ) {
    const question = await questions.getQuestion(request.actor!, id);
    return reply.page(`${V}/show.njk`, {
      pageTitle: question.title,
      backHref: '/policy/questions',
      question,
      answerMax: ANSWER_MAX,
      values: extra.values ?? {},
      ...extra,
    });
  }

  app.get('/policy/questions/:id', { config: scoped }, (request, reply) =>
    questionPage(request, reply, pathId(request.params)),
  );

  /** A button on the question's page: a broken rule shows there with the error summary. */
  function action(
    path: string,
    run: (request: FastifyRequest, id: number) => Promise<{ flash: string; to: string }>,
    messageField = 'form',
  ) {
    app.post(`/policy/questions/:id/${path}`, { config: scoped }, async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => questionPage(request, reply, id, { errors, values: request.body }),
        async () => {
          const done = await run(request, id);
          reply.flash(done.flash);
          return reply.redirect(done.to, 303);
        },
        { messageField },
      );
    });
  }

  action('support', async (request, id) => {
    await questions.supportQuestion(request.actor!, id);
    return {
      flash: 'You support this question. You will be emailed when it is answered.',
      to: `/policy/questions/${id}`,
    };
  });
  action(
    'answer',
    async (request, id) => {
      await questions.answerQuestion(request.actor!, id, parseForm(answerInput, request.body));
      return {
        flash:
          'Your answer is published. The member who asked and everyone supporting the question have been emailed.',
        to: `/policy/questions/${id}`,
      };
    },
    'answer',
  );
  action('withdraw', async (request, id) => {
    await questions.withdrawQuestion(request.actor!, id);
    return { flash: 'Your question has been withdrawn', to: `/policy/questions/${id}` };
  });
  action('to-call', async (request, id) => {
    const callId = await questions.questionToCall(request.actor!, id);
    return {
      flash:
        'A draft call for input has been made from the question. Check its dates and questions before it opens.',
      to: `/policy/calls/${callId}`,
    };
  });
}
