import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeMeasures } from './knowledge.measures.ts';
import {
  measureInput,
  measureOut,
  measuresOut,
  measureValueParams,
  valueInput,
  valueParams,
} from './knowledge.measures.schemas.ts';

const tags = ['knowledge'];
const readers = { access: READER_ROLES, scope: 'item' as const };
const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

const strip = <T extends { geometry: unknown; kindLabel: unknown; medianLabel: unknown }>(m: T) => {
  const { geometry: _g, kindLabel: _k, medianLabel: _l, ...rest } = m;
  return rest;
};

/** A case study's measures and their values in the JSON API. */
export async function measuresApi(app: FastifyInstance, opts: { measures: KnowledgeMeasures }) {
  const { measures } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const h = (id: number) => ({ itemId: id, adoptionId: null });

  api.get(
    '/api/v1/knowledge/items/:id/measures',
    {
      config: readers,
      schema: {
        tags,
        summary:
          'A case study’s measures with their values, median and run-chart signals (shifts and trends)',
        params: idParam,
        response: { 200: measuresOut, ...errors },
      },
    },
    async (request) => {
      const found = await measures.listMeasures(request.actor!, h(request.params.id));
      return { itemId: found.item.id, measures: found.measures.map(strip) };
    },
  );

  api.post(
    '/api/v1/knowledge/items/:id/measures',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Add a measure to a case study',
        params: idParam,
        body: measureInput,
        response: { 201: measureOut, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return strip(await measures.addMeasure(request.actor!, h(request.params.id), request.body));
    },
  );

  api.patch(
    '/api/v1/knowledge/items/:id/measures/:measureId',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Change a measure',
        params: measureValueParams,
        body: measureInput,
        response: { 200: measureOut, ...errors },
      },
    },
    async (request) =>
      strip(
        await measures.editMeasure(
          request.actor!,
          h(request.params.id),
          request.params.measureId,
          request.body,
        ),
      ),
  );

  api.delete(
    '/api/v1/knowledge/items/:id/measures/:measureId',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Remove a measure and its values',
        params: measureValueParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await measures.removeMeasure(request.actor!, h(request.params.id), request.params.measureId);
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/api/v1/knowledge/items/:id/measures/:measureId/values',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Add a value (a date and a number) to a measure; one value per date',
        params: measureValueParams,
        body: valueInput,
        response: { 201: measureOut, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return strip(
        await measures.addValue(request.actor!, h(request.params.id), request.params.measureId, request.body),
      );
    },
  );

  api.patch(
    '/api/v1/knowledge/items/:id/measures/:measureId/values/:valueId',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Change a value of a measure',
        params: valueParams,
        body: valueInput,
        response: { 200: measureOut, ...errors },
      },
    },
    async (request) =>
      strip(
        await measures.editValue(
          request.actor!,
          h(request.params.id),
          request.params.measureId,
          request.params.valueId,
          request.body,
        ),
      ),
  );

  api.delete(
    '/api/v1/knowledge/items/:id/measures/:measureId/values/:valueId',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Remove a value of a measure',
        params: valueParams,
        response: { 200: measureOut, ...errors },
      },
    },
    async (request) =>
      strip(
        await measures.removeValue(
          request.actor!,
          h(request.params.id),
          request.params.measureId,
          request.params.valueId,
        ),
      ),
  );
}
