import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseForm, parsePathParams, pathId, withFormErrors } from '../../platform/forms.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeAdoptions } from './knowledge.adoptions.ts';
import {
  ADOPTION_STATUS_LABELS,
  ADOPTION_STATUSES,
  adoptionInput,
  adoptionParams,
} from './knowledge.adoptions.schemas.ts';
import type { KnowledgeMeasures } from './knowledge.measures.ts';

const V = 'modules/knowledge/views/adoptions';
const readers = { access: READER_ROLES, scope: 'item' as const };
const contributors = { access: CONTRIBUTOR_ROLES, scope: 'item' as const };
const recorders = { access: CONTRIBUTOR_ROLES, scope: 'adoption' as const };

const statusItems = (chosen?: unknown) =>
  ADOPTION_STATUSES.map((s) => ({ value: s, text: ADOPTION_STATUS_LABELS[s], checked: chosen === s }));

/** The spread view of an item, the form to record an adoption, and each adoption's page. */
export async function adoptionsPages(
  app: FastifyInstance,
  opts: { adoptions: KnowledgeAdoptions; measures: KnowledgeMeasures },
) {
  const { adoptions, measures } = opts;

  async function spreadPage(
    request: FastifyRequest,
    reply: FastifyReply,
    itemId: number,
    extra: { errors?: unknown; values?: Record<string, unknown> } = {},
  ) {
    const spread = await adoptions.getSpread(request.actor!, itemId);
    const values = extra.values ?? {};
    return reply.page(`${V}/spread.njk`, {
      pageTitle: `Where it has spread: ${spread.item.title}`,
      backHref: `/knowledge/items/${itemId}`,
      gridClass: 'nhsuk-grid-column-full',
      ...spread,
      values,
      errors: extra.errors,
      statusItems: statusItems(values.status),
    });
  }

  app.get('/knowledge/items/:id/spread', { config: readers }, (request, reply) =>
    spreadPage(request, reply, pathId(request.params)),
  );

  app.post('/knowledge/items/:id/adoptions', { config: contributors }, async (request, reply) => {
    const itemId = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) =>
        spreadPage(request, reply, itemId, { errors, values: request.body as Record<string, unknown> }),
      async () => {
        const made = await adoptions.recordAdoption(
          request.actor!,
          itemId,
          parseForm(adoptionInput, request.body),
        );
        reply.flash(`${made.organisation.name}’s adoption is recorded: add its own measures below`);
        return reply.redirect(`/knowledge/items/${itemId}/adoptions/${made.id}`, 303);
      },
    );
  });

  async function adoptionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    p: { id: number; adoptionId: number },
    extra: { errors?: unknown; values?: Record<string, unknown> } = {},
  ) {
    const found = await adoptions.getAdoption(request.actor!, p.id, p.adoptionId);
    const listed = await measures.listMeasures(request.actor!, { itemId: p.id, adoptionId: p.adoptionId });
    const a = found.adoption;
    const values = extra.values ?? { status: a.status, adoptedOn: a.adoptedOn, notes: a.notes ?? '' };
    return reply.page(`${V}/adoption.njk`, {
      pageTitle: `${a.organisation.name}: ${found.item.title}`,
      backHref: `/knowledge/items/${p.id}/spread`,
      gridClass: 'nhsuk-grid-column-full',
      item: found.item,
      adoption: a,
      manage: found.manage,
      measures: listed.measures,
      measuresHref: `/knowledge/items/${p.id}/adoptions/${p.adoptionId}/measures`,
      action: `/knowledge/items/${p.id}/adoptions/${p.adoptionId}`,
      values,
      errors: extra.errors,
      statusItems: statusItems(values.status),
    });
  }

  app.get('/knowledge/items/:id/adoptions/:adoptionId', { config: readers }, (request, reply) =>
    adoptionPage(request, reply, parsePathParams(adoptionParams, request.params)),
  );

  app.post('/knowledge/items/:id/adoptions/:adoptionId', { config: recorders }, async (request, reply) => {
    const p = parsePathParams(adoptionParams, request.params);
    return withFormErrors(
      reply,
      (errors) =>
        adoptionPage(request, reply, p, { errors, values: request.body as Record<string, unknown> }),
      async () => {
        await adoptions.editAdoption(
          request.actor!,
          p.id,
          p.adoptionId,
          parseForm(adoptionInput, request.body),
        );
        reply.flash('The adoption is saved');
        return reply.redirect(`/knowledge/items/${p.id}/adoptions/${p.adoptionId}`, 303);
      },
    );
  });

  app.post(
    '/knowledge/items/:id/adoptions/:adoptionId/remove',
    { config: recorders },
    async (request, reply) => {
      const p = parsePathParams(adoptionParams, request.params);
      await adoptions.removeAdoption(request.actor!, p.id, p.adoptionId);
      reply.flash('The adoption and its measures are removed');
      return reply.redirect(`/knowledge/items/${p.id}/spread`, 303);
    },
  );
}
