import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../platform/errors.ts';
import { dashboardOut, regionOut } from './programme.schemas.ts';
import type { ProgrammeService } from './programme.service.ts';

const errorOut = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const regionParam = z.object({ code: z.string().regex(/^Q3\d$/, 'A region code from Q30 to Q39') });

export async function programmeApi(base: FastifyInstance, opts: { programme: ProgrammeService }) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { programme } = opts;

  app.get(
    '/api/v1/regions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['programme'],
        summary: 'The network regions with rollout phase and recruitment target',
        security: [],
        response: { 200: z.object({ regions: z.array(regionOut) }) },
      },
    },
    async () => ({ regions: await programme.listRegions() }),
  );

  app.get(
    '/api/v1/phases',
    {
      config: { access: 'public' },
      schema: {
        tags: ['programme'],
        summary: 'The rollout phases with their target dates and regions',
        security: [],
        response: {
          200: z.object({
            phases: z.array(
              z.object({
                key: z.string(),
                name: z.string(),
                description: z.string(),
                firstEventTarget: z.string().nullable(),
                goLiveTarget: z.string().nullable(),
                regions: z.array(z.string()),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const network = await programme.describeNetwork();
      return {
        phases: network.phases.map((p) => ({
          key: p.key,
          name: p.name,
          description: p.description,
          firstEventTarget: p.firstEventTarget,
          goLiveTarget: p.goLiveTarget,
          regions: p.regions.map((r) => r.code),
        })),
      };
    },
  );

  app.get(
    '/api/v1/dashboard',
    {
      config: { access: ['partner', 'regional-lead', 'facilitator'] },
      schema: {
        tags: ['programme'],
        summary: 'Every figure of the national dashboard (a regional lead gets their own region only)',
        response: { 200: dashboardOut, 403: errorOut },
      },
    },
    async (request) => programme.dashboard(request.actor!),
  );

  app.get(
    '/api/v1/regions/:code/programme',
    {
      config: { access: ['partner', 'regional-lead', 'facilitator'], scope: 'region' },
      schema: {
        tags: ['programme'],
        summary:
          "One region's programme: dates, people, funding lines, readiness and the consultancy contract",
        params: regionParam,
        response: { 200: z.record(z.string(), z.unknown()), 403: errorOut, 404: errorOut },
      },
    },
    async (request) => {
      const {
        canEdit: _e,
        canTickReadiness: _t,
        ...detail
      } = await programme.regionDetail(request.actor!, request.params.code);
      return detail;
    },
  );

  app.put(
    '/api/v1/regions/:code/target',
    {
      config: { access: ['national'], scope: 'region' },
      schema: {
        tags: ['programme'],
        summary:
          "Set a region's recruitment target (its quota); national team only, audited. Refused (400) below the places taken; new places go to the waitlist",
        params: regionParam,
        body: z.strictObject({
          target: z.number().int().min(0).max(10_000),
          reason: z.string().max(500).optional(),
        }),
        response: {
          200: z.object({ code: z.string(), target: z.number().int() }),
          400: errorOut,
          403: errorOut,
          404: errorOut,
        },
      },
    },
    async (request) => {
      const exists = (await programme.listRegions()).some((r) => r.code === request.params.code);
      if (!exists) throw new NotFoundError('Region not found');
      await programme.setTarget(request.actor!, request.params.code, request.body);
      return { code: request.params.code, target: request.body.target };
    },
  );
}
