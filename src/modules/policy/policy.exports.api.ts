import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam, pageQuery } from '../../platform/schemas.ts';
import type { PolicyExports } from './policy.exports.ts';
import type { PolicyLedger } from './policy.ledger.ts';
import { presentOutcome } from './policy.outcomes.api.ts';
import { OUTCOME_DECISIONS, outcomeOut } from './policy.outcomes.schemas.ts';

const tags = ['policy'];
const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

const responsesOut = z.object({
  callId: z.number(),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  questions: z.array(
    z.object({ id: z.number(), position: z.number(), kind: z.string(), prompt: z.string() }),
  ),
  responses: z.array(
    z.object({
      id: z.number(),
      submittedAt: z.string().nullable(),
      name: z.string(),
      onBehalfOf: z.string().nullable().describe('The organisation the member responded for, if any'),
      regionCode: z.string().nullable(),
      profession: z.string().nullable(),
      specialty: z.string().nullable(),
      setting: z.string().nullable(),
      answers: z.array(
        z.object({
          questionId: z.number(),
          text: z.string().nullable(),
          choices: z.array(z.string()),
          scale: z.number().nullable(),
        }),
      ),
    }),
  ),
});

const ledgerOut = z.object({
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  calls: z.array(
    z.object({
      callId: z.number(),
      kind: z.string(),
      title: z.string(),
      status: z.string(),
      closesOn: z.string(),
      responseDueOn: z.string(),
      publishedAt: z.string().nullable(),
      overdue: z.boolean(),
      daysSinceClose: z.number(),
      daysToDue: z.number(),
      responses: z.number(),
      decisions: z.record(z.enum(OUTCOME_DECISIONS), z.number()),
      outcomes: z.array(outcomeOut),
    }),
  ),
});

/** A call's responses (confidential ones left out) and the ledger through the JSON API. */
export async function exportsApi(
  app: FastifyInstance,
  opts: { exports: PolicyExports; ledger: PolicyLedger },
) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/policy/calls/:id/responses/export',
    {
      config: { access: ['policy-maker'], scope: 'call-owner' },
      schema: {
        tags,
        summary:
          "A call's submitted responses with their answers, 100 a page; confidential responses are left out (audited)",
        params: idParam,
        querystring: pageQuery,
        response: { 200: responsesOut, ...errors },
      },
    },
    async (request) => opts.exports.responsesPage(request.actor!, request.params.id, request.query.page),
  );

  api.get(
    '/api/v1/policy/ledger',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'The ledger: closed and concluded calls, overdue ones first, with what was decided (signed out: public calls only)',
        querystring: pageQuery,
        response: { 200: ledgerOut, 400: apiErrorSchema },
      },
    },
    async (request) => {
      const data = await opts.ledger.ledger(request.actor, request.query.page);
      return {
        total: data.total,
        page: data.page,
        pageSize: data.pageSize,
        calls: data.entries.map((e) => ({
          callId: e.callId,
          kind: e.kind,
          title: e.title,
          status: e.status,
          closesOn: e.closesOn,
          responseDueOn: e.responseDueOn,
          publishedAt: e.publishedAt,
          overdue: e.overdue,
          daysSinceClose: e.daysSinceClose,
          daysToDue: e.daysToDue,
          responses: e.responses,
          decisions: Object.fromEntries(e.decisions.map((d) => [d.decision, d.count])) as Record<
            (typeof OUTCOME_DECISIONS)[number],
            number
          >,
          outcomes: e.outcomes.map(presentOutcome),
        })),
      };
    },
  );
}
