import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParam } from '../../platform/schemas.ts';
import type { MembersCsv } from './members.csv.ts';
import { DIRECTORY_ROLES } from './members.pages.ts';
import {
  directoryEntryOut,
  directoryQuery,
  organisationQuery,
  profileOut,
  profileUpdateSchema,
} from './members.schemas.ts';
import type { DataRightsService } from './members.data-rights.ts';
import { downloadJson } from './members.data-rights.view.ts';
import { DIRECTORY_PAGE_SIZE, type MembersService, professionLabel } from './members.service.ts';

const errorOut = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const organisationOut = z.object({
  odsCode: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  regionCode: z.string().nullable(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  successorOdsCode: z.string().nullable(),
});

/** JSON API: the directory, profiles (read; update your own) and organisations, under /api/v1. */
export async function membersApi(
  base: FastifyInstance,
  opts: { csv: MembersCsv; members: MembersService; dataRights: DataRightsService },
) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { members, dataRights } = opts;

  app.get(
    '/api/v1/profile/data',
    {
      config: { access: ['member', 'mentor'] },
      schema: {
        tags: ['members'],
        summary: 'Everything the platform holds about you, from every module (right of access); audited',
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return downloadJson(await dataRights.downloadOwnData(request.actor!));
    },
  );

  app.get(
    '/api/v1/members',
    {
      config: { access: DIRECTORY_ROLES },
      schema: {
        tags: ['members'],
        summary: 'Search the member directory (typo-tolerant name, free text, filters); honours privacy',
        querystring: directoryQuery,
        response: {
          200: z.object({
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
            members: z.array(directoryEntryOut),
          }),
          400: errorOut,
          403: errorOut,
        },
      },
    },
    async (request) => {
      const { rows, total } = await members.searchDirectory(request.actor!, request.query);
      return {
        total,
        page: request.query.page,
        pageSize: DIRECTORY_PAGE_SIZE,
        members: rows.map((r) => ({
          id: r.user_id,
          name: r.name,
          jobTitle: r.job_title,
          organisation: r.organisation_name,
          region: r.region_code,
          profession: r.profession ? professionLabel(r.profession) : null,
          specialty: r.specialty_name,
          status: r.status,
        })),
      };
    },
  );

  app.get(
    '/api/v1/members/export.csv',
    {
      config: { access: DIRECTORY_ROLES },
      schema: {
        tags: ['members'],
        summary: 'The directory as CSV, scoped by role and honouring privacy (audited)',
        querystring: directoryQuery,
      },
    },
    async (request, reply) => {
      const csv = await opts.csv.exportDirectory(request.actor!, request.query);
      return reply.type('text/csv; charset=utf-8').send(csv);
    },
  );

  app.get(
    '/api/v1/members/:id',
    {
      config: { access: DIRECTORY_ROLES, scope: 'directory' },
      schema: {
        tags: ['members'],
        summary: 'One member’s profile, with the sections you may see (hidden sections are null)',
        params: idParam,
        response: { 200: profileOut, 404: errorOut },
      },
    },
    async (request) => members.viewProfile(request.actor!, request.params.id),
  );

  app.get(
    '/api/v1/me/profile',
    {
      config: { access: ['member', 'mentor'] },
      schema: { tags: ['members'], summary: 'Your own profile', response: { 200: profileOut } },
    },
    async (request) => (await members.getOwnProfile(request.actor!)).profile,
  );

  app.patch(
    '/api/v1/me/profile',
    {
      config: { access: ['member', 'mentor'] },
      schema: {
        tags: ['members'],
        summary: 'Change your own profile: only the fields sent change',
        body: profileUpdateSchema,
        response: { 200: profileOut, 400: errorOut },
      },
    },
    async (request) => {
      await members.updateOwnProfile(request.actor!, request.body);
      return (await members.getOwnProfile(request.actor!)).profile;
    },
  );

  app.get(
    '/api/v1/organisations',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['organisations'],
        summary: 'NHS organisations by name or ODS code, with validity dates and successors',
        querystring: organisationQuery,
        response: {
          200: z.object({ total: z.number(), page: z.number(), organisations: z.array(organisationOut) }),
        },
      },
    },
    async (request) => {
      const { rows, total } = await members.searchOrganisations({ ...request.query, pageSize: 50 });
      const successors = new Map<number, string | null>();
      for (const r of rows.filter((x) => x.successor_id)) {
        const s = await members.getOrganisationById(r.successor_id!);
        successors.set(r.id, s?.ods_code ?? null);
      }
      return {
        total,
        page: request.query.page,
        organisations: rows.map((r) => ({
          odsCode: r.ods_code,
          name: r.name,
          kind: r.kind,
          regionCode: r.sha_code,
          validFrom: r.valid_from,
          validTo: r.valid_to,
          successorOdsCode: successors.get(r.id) ?? null,
        })),
      };
    },
  );

  app.get(
    '/api/v1/organisations/:ods',
    {
      config: { access: 'signed-in', scope: 'network' },
      schema: {
        tags: ['organisations'],
        summary: 'One organisation, its parent, predecessors and successor',
        params: z.object({ ods: z.string().max(10) }),
        response: {
          200: organisationOut.extend({
            parentOdsCode: z.string().nullable(),
            predecessors: z.array(z.object({ odsCode: z.string().nullable(), name: z.string() })),
          }),
          404: errorOut,
        },
      },
    },
    async (request) => {
      const { org, parent, successor, predecessors } = await members.getOrganisation(request.params.ods);
      return {
        odsCode: org.ods_code,
        name: org.name,
        kind: org.kind,
        regionCode: org.sha_code,
        validFrom: org.valid_from,
        validTo: org.valid_to,
        successorOdsCode: successor?.ods_code ?? null,
        parentOdsCode: parent?.ods_code ?? null,
        predecessors: predecessors.map((p) => ({ odsCode: p.ods_code, name: p.name })),
      };
    },
  );
}
