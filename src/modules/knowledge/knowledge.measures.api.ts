import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Scope } from '../../platform/http-types.ts';
import { apiErrorSchema } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeMeasures, MeasureHolder } from './knowledge.measures.ts';
import { measureInput, measureOut, measuresOut, valueInput } from './knowledge.measures.schemas.ts';

const tags = ['knowledge'];
const positive = z.coerce.number().int().positive().max(2_147_483_647);

/** Where a set of measures hangs in the API: a case study's own, or one adoption's. */
export type MeasuresApiMount = {
  path: string;
  params: z.ZodObject<{ id: typeof positive } | { id: typeof positive; adoptionId: typeof positive }>;
  holder: (p: { id: number; adoptionId?: number }) => MeasureHolder;
  manageScope: Scope;
  what: string;
};
export const ITEM_MEASURES_API: MeasuresApiMount = {
  path: '/api/v1/knowledge/items/:id/measures',
  params: z.object({ id: positive }),
  holder: (p) => ({ itemId: p.id, adoptionId: null }),
  manageScope: 'item-owner',
  what: 'a case study',
};
export const ADOPTION_MEASURES_API: MeasuresApiMount = {
  path: '/api/v1/knowledge/items/:id/adoptions/:adoptionId/measures',
  params: z.object({ id: positive, adoptionId: positive }),
  holder: (p) => ({ itemId: p.id, adoptionId: p.adoptionId! }),
  manageScope: 'adoption',
  what: 'an organisation’s adoption of an item',
};
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

const strip = <T extends { geometry: unknown; kindLabel: unknown; medianLabel: unknown }>(m: T) => {
  const { geometry: _g, kindLabel: _k, medianLabel: _l, ...rest } = m;
  return rest;
};

/** Measures and their values in the JSON API (a case study's own, or an adoption's). */
export async function measuresApi(
  app: FastifyInstance,
  opts: { measures: KnowledgeMeasures; mount: MeasuresApiMount },
) {
  const { measures, mount } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const readers = { access: READER_ROLES, scope: 'item' as const };
  const owners = { access: CONTRIBUTOR_ROLES, scope: mount.manageScope };
  const idParam = mount.params;
  const measureValueParams = mount.params.extend({ measureId: positive });
  const valueParams = measureValueParams.extend({ valueId: positive });
  const P = mount.path;
  type Params = { id: number; adoptionId?: number };
  const h = (p: unknown) => mount.holder(p as Params);

  api.get(
    P,
    {
      config: readers,
      schema: {
        tags,
        summary: `The measures of ${mount.what} with their values, median and run-chart signals (shifts and trends)`,
        params: idParam,
        response: { 200: measuresOut, ...errors },
      },
    },
    async (request) => {
      const found = await measures.listMeasures(request.actor!, h(request.params));
      return { itemId: found.item.id, measures: found.measures.map(strip) };
    },
  );

  api.post(
    P,
    {
      config: owners,
      schema: {
        tags,
        summary: `Add a measure to ${mount.what}`,
        params: idParam,
        body: measureInput,
        response: { 201: measureOut, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return strip(await measures.addMeasure(request.actor!, h(request.params), request.body));
    },
  );

  api.patch(
    `${P}/:measureId`,
    {
      config: owners,
      schema: {
        tags,
        summary: `Change a measure of ${mount.what}`,
        params: measureValueParams,
        body: measureInput,
        response: { 200: measureOut, ...errors },
      },
    },
    async (request) =>
      strip(
        await measures.editMeasure(
          request.actor!,
          h(request.params),
          (request.params as { measureId: number }).measureId,
          request.body,
        ),
      ),
  );

  api.delete(
    `${P}/:measureId`,
    {
      config: owners,
      schema: {
        tags,
        summary: `Remove a measure of ${mount.what} and its values`,
        params: measureValueParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await measures.removeMeasure(
        request.actor!,
        h(request.params),
        (request.params as { measureId: number }).measureId,
      );
      return reply.status(204).send(null);
    },
  );

  api.post(
    `${P}/:measureId/values`,
    {
      config: owners,
      schema: {
        tags,
        summary: `Add a value (a date and a number) to a measure of ${mount.what}; one value per date`,
        params: measureValueParams,
        body: valueInput,
        response: { 201: measureOut, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return strip(
        await measures.addValue(
          request.actor!,
          h(request.params),
          (request.params as { measureId: number }).measureId,
          request.body,
        ),
      );
    },
  );

  api.patch(
    `${P}/:measureId/values/:valueId`,
    {
      config: owners,
      schema: {
        tags,
        summary: `Change a value of a measure of ${mount.what}`,
        params: valueParams,
        body: valueInput,
        response: { 200: measureOut, ...errors },
      },
    },
    async (request) =>
      strip(
        await measures.editValue(
          request.actor!,
          h(request.params),
          (request.params as { measureId: number }).measureId,
          (request.params as { valueId: number }).valueId,
          request.body,
        ),
      ),
  );

  api.delete(
    `${P}/:measureId/values/:valueId`,
    {
      config: owners,
      schema: {
        tags,
        summary: `Remove a value of a measure of ${mount.what}`,
        params: valueParams,
        response: { 200: measureOut, ...errors },
      },
    },
    async (request) =>
      strip(
        await measures.removeValue(
          request.actor!,
          h(request.params),
          (request.params as { measureId: number }).measureId,
          (request.params as { valueId: number }).valueId,
        ),
      ),
  );
}
