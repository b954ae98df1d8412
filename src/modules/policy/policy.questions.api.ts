import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import type { PolicyQuestions } from './policy.questions.ts';
import {
  answerInput,
  questionInput,
  questionListOut,
  questionListQuery,
  questionOut,
  toCallOut,
} from './policy.questions.schemas.ts';

const tags = ['policy'];
const readers = { access: ['member', 'policy-maker'] as const };
const scoped = { ...readers, scope: 'question' as const };
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };

/** Questions to policy makers in the JSON API. */
export async function questionsApi(app: FastifyInstance, opts: { questions: PolicyQuestions }) {
  const { questions } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/policy/questions',
    {
      config: readers,
      schema: {
        tags,
        summary:
          'Questions to policy makers: waiting (oldest first, with days waiting), answered (searchable with q) or your own',
        querystring: questionListQuery,
        response: { 200: questionListOut, 400: apiErrorSchema, 403: apiErrorSchema },
      },
    },
    async (request) => questions.listQuestions(request.actor!, request.query),
  );

  api.post(
    '/api/v1/policy/questions',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary:
          'Ask policy makers a question, to the network or privately to the policy team; safetyConcern sends it down the patient-safety fast lane',
        body: questionInput,
        response: { 201: questionOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await questions.askQuestion(request.actor!, request.body);
      reply.status(201);
      return questions.getQuestion(request.actor!, id);
    },
  );

  api.get(
    '/api/v1/policy/questions/:id',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'A question with its answer and what you may do with it',
        params: idParam,
        response: { 200: questionOut, 403: apiErrorSchema, 404: apiErrorSchema },
      },
    },
    async (request) => questions.getQuestion(request.actor!, request.params.id),
  );

  api.post(
    '/api/v1/policy/questions/:id/support',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'Support a question to the network (once a person)',
        params: idParam,
        response: { 200: questionOut, ...errors },
      },
    },
    async (request) => {
      await questions.supportQuestion(request.actor!, request.params.id);
      return questions.getQuestion(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/policy/questions/:id/answer',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'Answer a question under your named role; the asker and supporters are emailed',
        params: idParam,
        body: answerInput,
        response: { 200: questionOut, ...errors },
      },
    },
    async (request) => {
      await questions.answerQuestion(request.actor!, request.params.id, request.body);
      return questions.getQuestion(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/policy/questions/:id/withdraw',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'Withdraw your own open question',
        params: idParam,
        response: { 200: questionOut, ...errors },
      },
    },
    async (request) => {
      await questions.withdrawQuestion(request.actor!, request.params.id);
      return questions.getQuestion(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/policy/questions/:id/to-call',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'Turn a question into a draft call for input that you own',
        params: idParam,
        response: { 201: toCallOut, ...errors },
      },
    },
    async (request, reply) => {
      const callId = await questions.questionToCall(request.actor!, request.params.id);
      reply.status(201);
      return { callId, questionId: request.params.id };
    },
  );
}
