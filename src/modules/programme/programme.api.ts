import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { regionOut } from './programme.schemas.ts';
import type { ProgrammeService } from './programme.service.ts';

export async function programmeApi(base: FastifyInstance, opts: { programme: ProgrammeService }) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/regions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['programme'],
        summary: 'The network regions with rollout phase and recruitment target',
        response: { 200: z.object({ regions: z.array(regionOut) }) },
      },
    },
    async () => ({ regions: await opts.programme.listRegions() }),
  );
}
