import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { AdoptionView, KnowledgeAdoptions } from './knowledge.adoptions.ts';
import { adoptionInput, adoptionOut, adoptionParams, spreadOut } from './knowledge.adoptions.schemas.ts';

const tags = ['knowledge'];
const readers = { access: READER_ROLES, scope: 'item' as const };
const contributors = { access: CONTRIBUTOR_ROLES, scope: 'item' as const };
const recorders = { access: CONTRIBUTOR_ROLES, scope: 'adoption' as const };
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };

const out = (a: AdoptionView) => ({
  id: a.id,
  itemId: a.itemId,
  organisation: a.organisation,
  regionCode: a.regionCode,
  regionName: a.regionName,
  status: a.status,
  adoptedOn: a.adoptedOn,
  notes: a.notes,
  recordedBy: a.recordedBy,
});

/** Adoptions of an item and its spread in the JSON API. */
export async function adoptionsApi(app: FastifyInstance, opts: { adoptions: KnowledgeAdoptions }) {
  const { adoptions } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/knowledge/items/:id/spread',
    {
      config: readers,
      schema: {
        tags,
        summary: 'Where an item has spread: its adoptions by date, and a summary by region',
        params: idParam,
        response: { 200: spreadOut, ...errors },
      },
    },
    async (request) => {
      const spread = await adoptions.getSpread(request.actor!, request.params.id);
      return { itemId: spread.item.id, adoptions: spread.adoptions.map(out), regions: spread.regions };
    },
  );

  api.post(
    '/api/v1/knowledge/items/:id/adoptions',
    {
      config: contributors,
      schema: {
        tags,
        summary: 'Record that your organisation adopted, adapted, is exploring or stopped an item',
        params: idParam,
        body: adoptionInput,
        response: { 201: adoptionOut, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return out(await adoptions.recordAdoption(request.actor!, request.params.id, request.body));
    },
  );

  api.get(
    '/api/v1/knowledge/items/:id/adoptions/:adoptionId',
    {
      config: readers,
      schema: {
        tags,
        summary: 'One adoption of an item',
        params: adoptionParams,
        response: { 200: adoptionOut, ...errors },
      },
    },
    async (request) =>
      out(
        (await adoptions.getAdoption(request.actor!, request.params.id, request.params.adoptionId)).adoption,
      ),
  );

  api.patch(
    '/api/v1/knowledge/items/:id/adoptions/:adoptionId',
    {
      config: recorders,
      schema: {
        tags,
        summary: 'Change an adoption (the person who recorded it, or the national team)',
        params: adoptionParams,
        body: adoptionInput,
        response: { 200: adoptionOut, ...errors },
      },
    },
    async (request) =>
      out(
        await adoptions.editAdoption(
          request.actor!,
          request.params.id,
          request.params.adoptionId,
          request.body,
        ),
      ),
  );

  api.delete(
    '/api/v1/knowledge/items/:id/adoptions/:adoptionId',
    {
      config: recorders,
      schema: {
        tags,
        summary: 'Remove an adoption and its measures',
        params: adoptionParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await adoptions.removeAdoption(request.actor!, request.params.id, request.params.adoptionId);
      return reply.status(204).send(null);
    },
  );
}
