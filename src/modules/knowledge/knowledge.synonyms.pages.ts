import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkQuery,
  paginationFor,
  parseForm,
  parseQuery,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import { z } from 'zod';
import type { KnowledgeSynonyms } from './knowledge.synonyms.ts';
import {
  SYNONYM_LIMITS,
  synonymGroupForm,
  synonymListQuery,
  type SynonymListQuery,
} from './knowledge.synonyms.schemas.ts';

const V = 'modules/knowledge/views/synonyms';
const national = { access: ['national'] as const };
const group = { ...national, scope: 'network' as const };

/** What was typed in the filter, to show it again beside its error. */
const echoQuery = z.object({ q: z.string().optional().catch(undefined) }).catch({});

/** The national team's editor of the clinical synonym groups search expands a query with. */
export async function synonymsPages(app: FastifyInstance, opts: { synonyms: KnowledgeSynonyms }) {
  const { synonyms } = opts;

  app.get('/knowledge/synonyms', { config: national }, async (request, reply) => {
    const checked = checkQuery(synonymListQuery, request.query);
    const query: SynonymListQuery = checked.ok ? checked.data : { q: '', page: 1 };
    if (!checked.ok) reply.status(400);
    const list = await synonyms.listGroups(request.actor!, query);
    return reply.page(`${V}/list.njk`, {
      pageTitle: query.q ? `Clinical synonyms: ${query.q}` : 'Clinical synonyms',
      gridClass: 'nhsuk-grid-column-full',
      backHref: '/knowledge/search',
      errors: checked.ok ? undefined : checked.errors,
      list,
      filter: checked.ok ? query.q : (parseQuery(echoQuery, request.query).q ?? ''),
      pagination: paginationFor(
        list.page,
        list.pageSize,
        list.total,
        (p) => `/knowledge/synonyms${queryString({ q: query.q }, p)}`,
      ),
    });
  });

  function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    view: { id: number | null; terms: string; errors?: unknown },
  ) {
    return reply.page(`${V}/form.njk`, {
      pageTitle: view.id === null ? 'Add a synonym group' : 'Change a synonym group',
      backHref: '/knowledge/synonyms',
      action: view.id === null ? '/knowledge/synonyms' : `/knowledge/synonyms/${view.id}`,
      id: view.id,
      isNew: view.id === null,
      values: { terms: view.terms },
      limits: SYNONYM_LIMITS,
      errors: view.errors,
    });
  }

  const typedTerms = (body: unknown) => {
    const v = (body as Record<string, unknown> | undefined)?.terms;
    return typeof v === 'string' ? v : '';
  };

  app.get('/knowledge/synonyms/new', { config: national }, (request, reply) =>
    formPage(request, reply, { id: null, terms: '' }),
  );

  app.post('/knowledge/synonyms', { config: national }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) => formPage(request, reply, { id: null, terms: typedTerms(request.body), errors }),
      async () => {
        const { terms } = parseForm(synonymGroupForm, request.body);
        const added = await synonyms.addGroup(request.actor!, terms);
        reply.flash(`The synonym group ${added.terms.join(', ')} is added: search uses it now`);
        return reply.redirect(`/knowledge/synonyms${queryString({ q: added.terms[0] })}`, 303);
      },
      { messageField: 'terms' },
    ),
  );

  app.get('/knowledge/synonyms/:id', { config: group }, async (request, reply) => {
    const found = await synonyms.getGroup(request.actor!, pathId(request.params));
    return formPage(request, reply, { id: found.id, terms: found.terms.join('\n') });
  });

  app.post('/knowledge/synonyms/:id', { config: group }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => formPage(request, reply, { id, terms: typedTerms(request.body), errors }),
      async () => {
        const { terms } = parseForm(synonymGroupForm, request.body);
        const changed = await synonyms.editGroup(request.actor!, id, terms);
        reply.flash(`The synonym group is now ${changed.terms.join(', ')}: search uses it now`);
        return reply.redirect(`/knowledge/synonyms${queryString({ q: changed.terms[0] })}`, 303);
      },
      { messageField: 'terms' },
    );
  });

  app.get('/knowledge/synonyms/:id/delete', { config: group }, async (request, reply) => {
    const found = await synonyms.getGroup(request.actor!, pathId(request.params));
    return reply.page(`${V}/delete.njk`, {
      pageTitle: 'Delete a synonym group',
      backHref: `/knowledge/synonyms/${found.id}`,
      group: found,
    });
  });

  app.post('/knowledge/synonyms/:id/delete', { config: group }, async (request, reply) => {
    const id = pathId(request.params);
    const found = await synonyms.getGroup(request.actor!, id);
    await synonyms.deleteGroup(request.actor!, id);
    reply.flash(`The synonym group ${found.terms.join(', ')} is deleted: search no longer expands its terms`);
    return reply.redirect('/knowledge/synonyms', 303);
  });
}
