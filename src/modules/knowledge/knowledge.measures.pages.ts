import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Scope } from '../../platform/http-types.ts';
import { parseForm, parsePathParams, withFormErrors } from '../../platform/forms.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeMeasures, MeasureHolder } from './knowledge.measures.ts';
import {
  MEASURE_KIND_LABELS,
  MEASURE_KINDS,
  measureInput,
  valueInput,
} from './knowledge.measures.schemas.ts';

const V = 'modules/knowledge/views/measures';
const positive = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * Where a set of measures hangs: a case study's own (its owner manages them) or one adoption's
 * (the person who recorded it manages them). The same pages serve both.
 */
export type MeasuresMount = {
  /** The path of the measures page, with its parameters (`/knowledge/items/:id/measures`). */
  path: string;
  /** The path's own parameters, besides `measureId` and `valueId`. */
  params: z.ZodObject<Record<string, z.ZodType<number>>>;
  holder: (p: Record<string, number>) => MeasureHolder;
  url: (h: MeasureHolder) => string;
  backHref: (h: MeasureHolder) => string;
  manageScope: Scope;
};

type MeasureP = Record<string, number> & { measureId: number };
type ValueP = MeasureP & { valueId: number };

export const ITEM_MEASURES: MeasuresMount = {
  path: '/knowledge/items/:id/measures',
  params: z.object({ id: positive }),
  holder: (p) => ({ itemId: p.id!, adoptionId: null }),
  url: (h) => `/knowledge/items/${h.itemId}/measures`,
  backHref: (h) => `/knowledge/items/${h.itemId}`,
  manageScope: 'item-owner',
};
export const ADOPTION_MEASURES: MeasuresMount = {
  path: '/knowledge/items/:id/adoptions/:adoptionId/measures',
  params: z.object({ id: positive, adoptionId: positive }),
  holder: (p) => ({ itemId: p.id!, adoptionId: p.adoptionId! }),
  url: (h) => `/knowledge/items/${h.itemId}/adoptions/${h.adoptionId}/measures`,
  backHref: (h) => `/knowledge/items/${h.itemId}/adoptions/${h.adoptionId}`,
  manageScope: 'adoption',
};

export const kindItems = (chosen?: unknown) =>
  MEASURE_KINDS.map((k) => ({ value: k, text: MEASURE_KIND_LABELS[k], checked: chosen === k }));

/** A measures page: each measure's run chart and figures, and the forms of whoever manages them. */
export async function measuresPages(
  app: FastifyInstance,
  opts: { measures: KnowledgeMeasures; mount: MeasuresMount },
) {
  const { measures, mount } = opts;
  const readers = { access: READER_ROLES, scope: 'item' as const };
  const owners = { access: CONTRIBUTOR_ROLES, scope: mount.manageScope };
  const measureParams = mount.params.extend({ measureId: positive });
  const valueParams = measureParams.extend({ valueId: positive });
  const P = mount.path;
  const holderOf = (p: Record<string, number>) => mount.holder(p);

  async function listPage(
    request: FastifyRequest,
    reply: FastifyReply,
    h: MeasureHolder,
    extra: Record<string, unknown> = {},
  ) {
    const found = await measures.listMeasures(request.actor!, h);
    return reply.page(`${V}/measures.njk`, {
      pageTitle: `Measures: ${found.item.title}`,
      backHref: mount.backHref(h),
      gridClass: 'nhsuk-grid-column-full',
      item: found.item,
      adoptionId: h.adoptionId,
      manage: found.manage,
      measures: found.measures,
      action: mount.url(h),
      values: {},
      valueFor: null,
      kindItems: kindItems((extra.values as Record<string, unknown> | undefined)?.kind),
      ...extra,
    });
  }

  app.get(P, { config: readers }, (request, reply) =>
    listPage(request, reply, holderOf(parsePathParams(mount.params, request.params))),
  );

  app.post(P, { config: owners }, async (request, reply) => {
    const h = holderOf(parsePathParams(mount.params, request.params));
    return withFormErrors(
      reply,
      (errors) => listPage(request, reply, h, { errors, values: request.body }),
      async () => {
        const m = await measures.addMeasure(request.actor!, h, parseForm(measureInput, request.body));
        reply.flash(`The measure “${m.name}” is added: add its values below`);
        return reply.redirect(`${mount.url(h)}#measure-${m.id}`, 303);
      },
    );
  });

  async function measurePage(
    request: FastifyRequest,
    reply: FastifyReply,
    h: MeasureHolder,
    measureId: number,
    extra: Record<string, unknown> = {},
  ) {
    const found = await measures.getMeasure(request.actor!, h, measureId, 'manage');
    const m = found.measure;
    const values = (extra.values as Record<string, unknown> | undefined) ?? {
      kind: m.kind,
      name: m.name,
      unit: m.unit ?? '',
      description: m.description ?? '',
    };
    return reply.page(`${V}/measure-edit.njk`, {
      pageTitle: `Change the measure ${m.name}`,
      backHref: mount.url(h),
      item: found.item,
      measure: m,
      action: `${mount.url(h)}/${m.id}`,
      ...extra,
      values,
      kindItems: kindItems(values.kind),
    });
  }

  app.get(`${P}/:measureId`, { config: owners }, (request, reply) => {
    const p = parsePathParams(measureParams, request.params) as MeasureP;
    return measurePage(request, reply, holderOf(p), p.measureId);
  });

  app.post(`${P}/:measureId`, { config: owners }, async (request, reply) => {
    const p = parsePathParams(measureParams, request.params) as MeasureP;
    const h = holderOf(p);
    return withFormErrors(
      reply,
      (errors) => measurePage(request, reply, h, p.measureId, { errors, values: request.body }),
      async () => {
        await measures.editMeasure(request.actor!, h, p.measureId, parseForm(measureInput, request.body));
        reply.flash('The measure is saved');
        return reply.redirect(`${mount.url(h)}#measure-${p.measureId}`, 303);
      },
    );
  });

  app.post(`${P}/:measureId/remove`, { config: owners }, async (request, reply) => {
    const p = parsePathParams(measureParams, request.params) as MeasureP;
    const h = holderOf(p);
    await measures.removeMeasure(request.actor!, h, p.measureId);
    reply.flash('The measure and its values are removed');
    return reply.redirect(mount.url(h), 303);
  });

  app.post(`${P}/:measureId/values`, { config: owners }, async (request, reply) => {
    const p = parsePathParams(measureParams, request.params) as MeasureP;
    const h = holderOf(p);
    return withFormErrors(
      reply,
      (errors) => listPage(request, reply, h, { errors, valueFor: p.measureId, valueValues: request.body }),
      async () => {
        await measures.addValue(request.actor!, h, p.measureId, parseForm(valueInput, request.body));
        reply.flash('The value is added');
        return reply.redirect(`${mount.url(h)}#measure-${p.measureId}`, 303);
      },
    );
  });

  async function valuePage(
    request: FastifyRequest,
    reply: FastifyReply,
    h: MeasureHolder,
    p: { measureId: number; valueId: number },
    extra: Record<string, unknown> = {},
  ) {
    const found = await measures.getValue(request.actor!, h, p.measureId, p.valueId);
    return reply.page(`${V}/value-edit.njk`, {
      pageTitle: `Change the value of ${found.value.measuredOn}`,
      backHref: mount.url(h),
      item: found.item,
      measure: found.measure,
      value: found.value,
      action: `${mount.url(h)}/${p.measureId}/values/${p.valueId}`,
      values: {
        measuredOn: found.value.measuredOn,
        value: String(found.value.value),
        note: found.value.note ?? '',
      },
      ...extra,
    });
  }

  app.get(`${P}/:measureId/values/:valueId`, { config: owners }, (request, reply) => {
    const p = parsePathParams(valueParams, request.params) as ValueP;
    return valuePage(request, reply, holderOf(p), p);
  });

  app.post(`${P}/:measureId/values/:valueId`, { config: owners }, async (request, reply) => {
    const p = parsePathParams(valueParams, request.params) as ValueP;
    const h = holderOf(p);
    return withFormErrors(
      reply,
      (errors) => valuePage(request, reply, h, p, { errors, values: request.body }),
      async () => {
        await measures.editValue(
          request.actor!,
          h,
          p.measureId,
          p.valueId,
          parseForm(valueInput, request.body),
        );
        reply.flash('The value is saved');
        return reply.redirect(`${mount.url(h)}#measure-${p.measureId}`, 303);
      },
    );
  });

  app.post(`${P}/:measureId/values/:valueId/remove`, { config: owners }, async (request, reply) => {
    const p = parsePathParams(valueParams, request.params) as ValueP;
    const h = holderOf(p);
    await measures.removeValue(request.actor!, h, p.measureId, p.valueId);
    reply.flash('The value is removed');
    return reply.redirect(`${mount.url(h)}#measure-${p.measureId}`, 303);
  });
}
