import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { z } from 'zod';
import { checkQuery, paginationFor, parseQuery, queryString } from '../../platform/forms.ts';
import { type Actor, hasRole } from '../../platform/permissions.ts';
import { READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeSearch } from './knowledge.search.ts';
import { KIND_LABELS, type SearchOut, type SearchQuery, searchQuery } from './knowledge.search.schemas.ts';

const V = 'modules/knowledge/views/search';
const EMPTY: SearchQuery = {
  q: '',
  kind: [],
  topic: [],
  setting: [],
  region: [],
  organisation: [],
  stage: [],
  from: null,
  to: null,
  exact: false,
  page: 1,
};

/** What was typed, to show it again beside its error even when it did not pass the schema. */
const typed = z.string().optional().catch(undefined);
const echoQuery = z.object({ q: typed, from: typed, to: typed }).catch({});

/** The library's search page: words, the facet filter panel, ranked results with why each matched. */
export async function searchPages(app: FastifyInstance, opts: { search: KnowledgeSearch }) {
  const { search } = opts;
  app.navItems.push({ href: '/knowledge/search', text: 'Search the library', roles: [...READER_ROLES] });

  app.get('/knowledge/search', { config: { access: READER_ROLES } }, async (request, reply) => {
    const checked = checkQuery(searchQuery, request.query);
    let errors = checked.ok ? undefined : checked.errors;
    const input = checked.ok ? checked.data : EMPTY;
    let out: SearchOut | null = null;
    try {
      out = await search.search(request.actor as Actor, input);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors = err.errors;
      out = await search.search(request.actor as Actor, EMPTY);
    }
    if (errors) reply.status(400);
    const keep = {
      q: input.q,
      kind: input.kind,
      topic: input.topic,
      setting: input.setting,
      region: input.region,
      organisation: input.organisation,
      stage: input.stage,
      from: input.from,
      to: input.to,
      exact: input.exact ? '1' : undefined,
    };
    const raw = parseQuery(echoQuery, request.query);
    return reply.page(`${V}/search.njk`, {
      pageTitle: input.q ? `Search the library: ${input.q}` : 'Search the library',
      gridClass: 'nhsuk-grid-column-full',
      canEditSynonyms: hasRole(request.actor as Actor, 'national'),
      kindLabels: KIND_LABELS,
      out,
      errors,
      values: {
        q: raw.q ?? input.q,
        from: raw.from ?? '',
        to: raw.to ?? '',
      },
      exactHref: out.correctedFrom
        ? `/knowledge/search${queryString({ ...keep, q: out.correctedFrom, exact: '1' })}`
        : null,
      pagination: paginationFor(
        out.page,
        out.pageSize,
        Math.min(out.total, 100 * out.pageSize),
        (p) => `/knowledge/search${queryString(keep, p)}`,
      ),
    });
  });
}
