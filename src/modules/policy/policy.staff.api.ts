import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema, idParam, pageQuery } from '../../platform/schemas.ts';
import type { PolicyStaff } from './policy.staff.ts';
import { ownRoleInput, staffInput, staffListOut, staffOut } from './policy.staff.schemas.ts';

const tags = ['policy'];

/** The policy staff records in the JSON API. */
export async function staffApi(app: FastifyInstance, opts: { staff: PolicyStaff }) {
  const { staff } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/policy/staff',
    {
      config: { access: ['policy-maker'] },
      schema: {
        tags,
        summary:
          'Policy makers with the named role each answers under and whether they are a patient-safety lead',
        querystring: pageQuery,
        response: { 200: staffListOut, 403: apiErrorSchema },
      },
    },
    async (request) => staff.listStaff(request.actor!, request.query.page),
  );

  api.put(
    '/api/v1/policy/staff/me',
    {
      config: { access: ['policy-maker'] },
      schema: {
        tags,
        summary: 'Change the named role you answer questions under',
        body: ownRoleInput,
        response: { 200: staffOut, 400: apiErrorSchema, 403: apiErrorSchema },
      },
    },
    async (request) => staff.saveOwnRole(request.actor!, request.body),
  );

  api.get(
    '/api/v1/policy/staff/:id',
    {
      config: { access: ['national'], scope: 'network' },
      schema: {
        tags,
        summary: "A policy maker's staff record",
        params: idParam,
        response: { 200: staffOut, 403: apiErrorSchema, 404: apiErrorSchema },
      },
    },
    async (request) => staff.getStaff(request.actor!, request.params.id),
  );

  api.put(
    '/api/v1/policy/staff/:id',
    {
      config: { access: ['national'], scope: 'network' },
      schema: {
        tags,
        summary: "Record a policy maker's named role and whether they are a patient-safety lead",
        params: idParam,
        body: staffInput,
        response: { 200: staffOut, 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema },
      },
    },
    async (request) => staff.saveStaff(request.actor!, request.params.id, request.body),
  );
}
