import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseForm, parsePathParams, pathId, withFormErrors } from '../../platform/forms.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeMeasures } from './knowledge.measures.ts';
import {
  MEASURE_KIND_LABELS,
  MEASURE_KINDS,
  measureInput,
  measureValueParams,
  valueInput,
  valueParams,
} from './knowledge.measures.schemas.ts';

const V = 'modules/knowledge/views/measures';
const readers = { access: READER_ROLES, scope: 'item' as const };
const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };

export const kindItems = (chosen?: unknown) =>
  MEASURE_KINDS.map((k) => ({ value: k, text: MEASURE_KIND_LABELS[k], checked: chosen === k }));

/** A case study's measures page: each measure's run chart and figures, and the owner's forms. */
export async function measuresPages(app: FastifyInstance, opts: { measures: KnowledgeMeasures }) {
  const { measures } = opts;
  const base = (id: number) => `/knowledge/items/${id}/measures`;

  async function listPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Record<string, unknown> = {},
  ) {
    const found = await measures.listMeasures(request.actor!, { itemId: id, adoptionId: null });
    return reply.page(`${V}/measures.njk`, {
      pageTitle: `Measures: ${found.item.title}`,
      backHref: `/knowledge/items/${id}`,
      gridClass: 'nhsuk-grid-column-full',
      item: found.item,
      manage: found.manage,
      measures: found.measures,
      action: base(id),
      values: {},
      valueFor: null,
      kindItems: kindItems((extra.values as Record<string, unknown> | undefined)?.kind),
      ...extra,
    });
  }

  app.get('/knowledge/items/:id/measures', { config: readers }, (request, reply) =>
    listPage(request, reply, pathId(request.params)),
  );

  app.post('/knowledge/items/:id/measures', { config: owners }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => listPage(request, reply, id, { errors, values: request.body }),
      async () => {
        const m = await measures.addMeasure(
          request.actor!,
          { itemId: id, adoptionId: null },
          parseForm(measureInput, request.body),
        );
        reply.flash(`The measure “${m.name}” is added: add its values below`);
        return reply.redirect(`${base(id)}#measure-${m.id}`, 303);
      },
    );
  });

  async function measurePage(
    request: FastifyRequest,
    reply: FastifyReply,
    p: { id: number; measureId: number },
    extra: Record<string, unknown> = {},
  ) {
    const found = await measures.getMeasure(
      request.actor!,
      { itemId: p.id, adoptionId: null },
      p.measureId,
      'manage',
    );
    const m = found.measure;
    const values = (extra.values as Record<string, unknown> | undefined) ?? {
      kind: m.kind,
      name: m.name,
      unit: m.unit ?? '',
      description: m.description ?? '',
    };
    return reply.page(`${V}/measure-edit.njk`, {
      pageTitle: `Change the measure ${m.name}`,
      backHref: base(p.id),
      item: found.item,
      measure: m,
      action: `${base(p.id)}/${m.id}`,
      ...extra,
      values,
      kindItems: kindItems(values.kind),
    });
  }

  app.get('/knowledge/items/:id/measures/:measureId', { config: owners }, (request, reply) =>
    measurePage(request, reply, parsePathParams(measureValueParams, request.params)),
  );

  app.post('/knowledge/items/:id/measures/:measureId', { config: owners }, async (request, reply) => {
    const p = parsePathParams(measureValueParams, request.params);
    return withFormErrors(
      reply,
      (errors) => measurePage(request, reply, p, { errors, values: request.body }),
      async () => {
        await measures.editMeasure(
          request.actor!,
          { itemId: p.id, adoptionId: null },
          p.measureId,
          parseForm(measureInput, request.body),
        );
        reply.flash('The measure is saved');
        return reply.redirect(`${base(p.id)}#measure-${p.measureId}`, 303);
      },
    );
  });

  app.post('/knowledge/items/:id/measures/:measureId/remove', { config: owners }, async (request, reply) => {
    const p = parsePathParams(measureValueParams, request.params);
    await measures.removeMeasure(request.actor!, { itemId: p.id, adoptionId: null }, p.measureId);
    reply.flash('The measure and its values are removed');
    return reply.redirect(base(p.id), 303);
  });

  app.post('/knowledge/items/:id/measures/:measureId/values', { config: owners }, async (request, reply) => {
    const p = parsePathParams(measureValueParams, request.params);
    return withFormErrors(
      reply,
      (errors) =>
        listPage(request, reply, p.id, { errors, valueFor: p.measureId, valueValues: request.body }),
      async () => {
        await measures.addValue(
          request.actor!,
          { itemId: p.id, adoptionId: null },
          p.measureId,
          parseForm(valueInput, request.body),
        );
        reply.flash('The value is added');
        return reply.redirect(`${base(p.id)}#measure-${p.measureId}`, 303);
      },
    );
  });

  async function valuePage(
    request: FastifyRequest,
    reply: FastifyReply,
    p: { id: number; measureId: number; valueId: number },
    extra: Record<string, unknown> = {},
  ) {
    const found = await measures.getValue(
      request.actor!,
      { itemId: p.id, adoptionId: null },
      p.measureId,
      p.valueId,
    );
    return reply.page(`${V}/value-edit.njk`, {
      pageTitle: `Change the value of ${found.value.measuredOn}`,
      backHref: base(p.id),
      item: found.item,
      measure: found.measure,
      value: found.value,
      action: `${base(p.id)}/${p.measureId}/values/${p.valueId}`,
      values: {
        measuredOn: found.value.measuredOn,
        value: String(found.value.value),
        note: found.value.note ?? '',
      },
      ...extra,
    });
  }

  app.get('/knowledge/items/:id/measures/:measureId/values/:valueId', { config: owners }, (request, reply) =>
    valuePage(request, reply, parsePathParams(valueParams, request.params)),
  );

  app.post(
    '/knowledge/items/:id/measures/:measureId/values/:valueId',
    { config: owners },
    async (request, reply) => {
      const p = parsePathParams(valueParams, request.params);
      return withFormErrors(
        reply,
        (errors) => valuePage(request, reply, p, { errors, values: request.body }),
        async () => {
          await measures.editValue(
            request.actor!,
            { itemId: p.id, adoptionId: null },
            p.measureId,
            p.valueId,
            parseForm(valueInput, request.body),
          );
          reply.flash('The value is saved');
          return reply.redirect(`${base(p.id)}#measure-${p.measureId}`, 303);
        },
      );
    },
  );

  app.post(
    '/knowledge/items/:id/measures/:measureId/values/:valueId/remove',
    { config: owners },
    async (request, reply) => {
      const p = parsePathParams(valueParams, request.params);
      await measures.removeValue(request.actor!, { itemId: p.id, adoptionId: null }, p.measureId, p.valueId);
      reply.flash('The value is removed');
      return reply.redirect(`${base(p.id)}#measure-${p.measureId}`, 303);
    },
  );
}
