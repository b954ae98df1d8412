import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema, idParam, pageQuery } from '../../platform/schemas.ts';
import type { PolicySafety } from './policy.safety.ts';
import { acknowledgeInput, concernDetailOut, concernListOut } from './policy.safety.schemas.ts';

const tags = ['policy'];
const leads = { access: ['policy-maker'] as const, scope: 'safety' as const };

/** The patient-safety concerns in the JSON API (safety leads and the national team). */
export async function safetyApi(app: FastifyInstance, opts: { safety: PolicySafety }) {
  const { safety } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/policy/safety',
    {
      config: { access: ['policy-maker'] },
      schema: {
        tags,
        summary:
          'Patient-safety concerns: open ones oldest first (overdue after 48 hours unacknowledged), then acknowledged ones',
        querystring: pageQuery,
        response: { 200: concernListOut, 403: apiErrorSchema },
      },
    },
    async (request) => safety.listConcerns(request.actor!, request.query.page),
  );

  api.get(
    '/api/v1/policy/safety/:id',
    {
      config: leads,
      schema: {
        tags,
        summary: 'A patient-safety concern with the text it was raised in',
        params: idParam,
        response: { 200: concernDetailOut, 403: apiErrorSchema, 404: apiErrorSchema },
      },
    },
    async (request) => safety.getConcern(request.actor!, request.params.id),
  );

  api.post(
    '/api/v1/policy/safety/:id/acknowledge',
    {
      config: leads,
      schema: {
        tags,
        summary: 'Acknowledge a patient-safety concern, with a note emailed to the person who raised it',
        params: idParam,
        body: acknowledgeInput,
        response: {
          200: concernDetailOut,
          400: apiErrorSchema,
          403: apiErrorSchema,
          404: apiErrorSchema,
          409: apiErrorSchema,
        },
      },
    },
    async (request) => safety.acknowledge(request.actor!, request.params.id, request.body),
  );
}
