import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkQuery,
  paginationFor,
  parseForm,
  parsePathParams,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import { hasRole } from '../../platform/permissions.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeItems } from './knowledge.items.ts';
import {
  CARE_SETTING_LABELS,
  cycleInput,
  cycleMoveInput,
  cycleParams,
  DECISION_LABELS,
  EVIDENCE_LEVEL_LABELS,
  itemInput,
  KIND_LABELS,
  libraryQuery,
  LIMITS,
  SPREAD_STAGE_LABELS,
  statusNoteInput,
  topicInput,
  versionParams,
  VISIBILITY_LABELS,
} from './knowledge.items.schemas.ts';

const V = 'modules/knowledge/views/items';
const readers = { access: READER_ROLES };
const contributors = { access: CONTRIBUTOR_ROLES };
const item = { ...readers, scope: 'item' as const };
const owner = { ...contributors, scope: 'item-owner' as const };
const national = { access: ['national'] as const };

const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, text]) => ({ value, text }));
const LABELS = {
  kinds: options(KIND_LABELS),
  visibilities: options(VISIBILITY_LABELS),
  careSettings: options(CARE_SETTING_LABELS),
  spreadStages: options(SPREAD_STAGE_LABELS),
  evidenceLevels: options(EVIDENCE_LEVEL_LABELS),
  decisions: options(DECISION_LABELS),
};

/** The library's list, an item's pages (edit, publish, archive, PDSA cycles, versions), topics and the CSV export. */
export async function itemsPages(app: FastifyInstance, opts: { items: KnowledgeItems }) {
  const { items } = opts;

  app.navItems.push({ href: '/knowledge', text: 'Knowledge', roles: READER_ROLES });

  app.get('/knowledge', { config: readers }, async (request, reply) => {
    const checked = checkQuery(libraryQuery, request.query);
    const query = checked.ok ? checked.data : { kind: null, topic: null, page: 1 };
    const [list, topics] = await Promise.all([
      items.listLibrary(request.actor!, query),
      items.listTopics(request.actor!),
    ]);
    if (!checked.ok) reply.status(400);
    const keep = { kind: query.kind, topic: query.topic };
    const topicName = new Map(topics.map((t) => [t.id, t.name]));
    return reply.page(`${V}/library.njk`, {
      pageTitle: 'The knowledge library',
      gridClass: 'nhsuk-grid-column-full',
      list: {
        ...list,
        items: list.items.map((i) => ({
          ...i,
          kindLabel: KIND_LABELS[i.kind],
          topicNames: i.topicIds.map((t) => topicName.get(t)).filter(Boolean),
        })),
      },
      topics,
      labels: LABELS,
      values: { kind: query.kind ?? '', topic: query.topic ? String(query.topic) : '' },
      errors: checked.ok ? undefined : checked.errors,
      canAdd: CONTRIBUTOR_ROLES.some((r) => hasRole(request.actor!, r)),
      isNational: hasRole(request.actor!, 'national'),
      pagination: paginationFor(
        list.page,
        list.pageSize,
        list.total,
        (p) => `/knowledge${queryString(keep, p)}`,
      ),
    });
  });

  app.get('/knowledge/items.csv', { config: readers }, async (request, reply) => {
    const csv = await items.exportCsv(request.actor!);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="knowledge-library.csv"')
      .header('cache-control', 'no-store')
      .send(csv);
  });

  async function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { itemId?: number; values?: unknown; errors?: unknown; title?: string; status?: string },
  ) {
    const choices = await items.formChoices(request.actor!, extra.itemId);
    const values = (extra.values ?? { visibility: 'network', kind: 'case-study' }) as Record<string, unknown>;
    const asList = (v: unknown) =>
      Array.isArray(v) ? v.map(String) : v === undefined || v === '' ? [] : [String(v)];
    return reply.page(`${V}/form.njk`, {
      pageTitle: extra.itemId ? `Edit: ${extra.title ?? 'library item'}` : 'Add to the library',
      backHref: extra.itemId ? `/knowledge/items/${extra.itemId}` : '/knowledge',
      action: extra.itemId ? `/knowledge/items/${extra.itemId}` : '/knowledge/items',
      editing: extra.itemId !== undefined,
      published: extra.status === 'published',
      choices,
      labels: LABELS,
      limits: LIMITS,
      values: { ...values, topicIds: asList(values.topicIds), groupIds: asList(values.groupIds) },
      errors: extra.errors,
    });
  }

  app.get('/knowledge/items/new', { config: contributors }, (request, reply) => formPage(request, reply, {}));

  app.post('/knowledge/items', { config: contributors }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) => formPage(request, reply, { errors, values: request.body }),
      async () => {
        const id = await items.createItem(request.actor!, parseForm(itemInput, request.body));
        reply.flash('Your draft is saved. Only you can read it until you publish it.');
        return reply.redirect(`/knowledge/items/${id}`, 303);
      },
    ),
  );

  async function itemPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Record<string, unknown> = {},
  ) {
    const view = await items.getItemPage(request.actor!, id);
    return reply.page(`${V}/show.njk`, {
      pageTitle: view.title,
      backHref: '/knowledge',
      item: view,
      labels: LABELS,
      limits: LIMITS,
      values: {},
      ...extra,
    });
  }

  app.get('/knowledge/items/:id', { config: item }, (request, reply) =>
    itemPage(request, reply, pathId(request.params)),
  );

  app.get('/knowledge/items/:id/edit', { config: owner }, async (request, reply) => {
    const id = pathId(request.params);
    const form = await items.formValues(request.actor!, id);
    return formPage(request, reply, {
      itemId: id,
      values: form.values,
      title: form.title,
      status: form.status,
    });
  });

  app.post('/knowledge/items/:id', { config: owner }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      async (errors) => {
        const form = await items.formValues(request.actor!, id);
        return formPage(request, reply, {
          itemId: id,
          values: request.body,
          errors,
          title: form.title,
          status: form.status,
        });
      },
      async () => {
        await items.updateItem(request.actor!, id, parseForm(itemInput, request.body));
        reply.flash('Your changes are saved');
        return reply.redirect(`/knowledge/items/${id}`, 303);
      },
    );
  });

  for (const [path, run, flash] of [
    ['publish', items.publishItem, 'The item is published: its readers can now find it in the library'],
    ['archive', items.archiveItem, 'The item is archived: it no longer shows in the library'],
  ] as const) {
    app.post(`/knowledge/items/:id/${path}`, { config: owner }, async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => itemPage(request, reply, id, { errors }),
        async () => {
          const input = parseForm(statusNoteInput, request.body);
          await run(request.actor!, id, input.note ?? null);
          reply.flash(flash);
          return reply.redirect(`/knowledge/items/${id}`, 303);
        },
      );
    });
  }

  // PDSA cycles: added on the item's page, edited on their own page.
  app.post('/knowledge/items/:id/cycles', { config: owner }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => itemPage(request, reply, id, { errors, values: request.body }),
      async () => {
        await items.addCycle(request.actor!, id, parseForm(cycleInput, request.body));
        reply.flash('The PDSA cycle is added');
        return reply.redirect(`/knowledge/items/${id}#cycles`, 303);
      },
    );
  });

  async function cyclePage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const { id, cycleId } = parsePathParams(cycleParams, request.params);
    const cycle = await items.getCycle(request.actor!, id, cycleId);
    return reply.page(`${V}/cycle.njk`, {
      pageTitle: `Edit PDSA cycle ${cycle.position}`,
      backHref: `/knowledge/items/${id}`,
      itemId: id,
      cycle,
      labels: LABELS,
      limits: LIMITS,
      values: {
        plan: cycle.plan,
        prediction: cycle.prediction ?? '',
        happened: cycle.happened ?? '',
        decision: cycle.decision ?? '',
        startedOn: cycle.startedOn ?? '',
      },
      ...extra,
    });
  }

  app.get('/knowledge/items/:id/cycles/:cycleId', { config: owner }, (request, reply) =>
    cyclePage(request, reply),
  );

  app.post('/knowledge/items/:id/cycles/:cycleId', { config: owner }, async (request, reply) => {
    const { id, cycleId } = parsePathParams(cycleParams, request.params);
    return withFormErrors(
      reply,
      (errors) => cyclePage(request, reply, { errors, values: request.body }),
      async () => {
        await items.updateCycle(request.actor!, id, cycleId, parseForm(cycleInput, request.body));
        reply.flash('The PDSA cycle is saved');
        return reply.redirect(`/knowledge/items/${id}#cycles`, 303);
      },
    );
  });

  app.post('/knowledge/items/:id/cycles/:cycleId/remove', { config: owner }, async (request, reply) => {
    const { id, cycleId } = parsePathParams(cycleParams, request.params);
    await items.removeCycle(request.actor!, id, cycleId);
    reply.flash('The PDSA cycle is removed');
    return reply.redirect(`/knowledge/items/${id}#cycles`, 303);
  });

  app.post('/knowledge/items/:id/cycles/:cycleId/move', { config: owner }, async (request, reply) => {
    const { id, cycleId } = parsePathParams(cycleParams, request.params);
    return withFormErrors(
      reply,
      (errors) => itemPage(request, reply, id, { errors }),
      async () => {
        const { direction } = parseForm(cycleMoveInput, request.body);
        await items.moveCycle(request.actor!, id, cycleId, direction);
        reply.flash('The PDSA cycles are reordered');
        return reply.redirect(`/knowledge/items/${id}#cycles`, 303);
      },
    );
  });

  // Versions.
  app.get('/knowledge/items/:id/versions', { config: item }, async (request, reply) => {
    const id = pathId(request.params);
    const list = await items.listVersions(request.actor!, id);
    return reply.page(`${V}/versions.njk`, {
      pageTitle: `Versions of ${list.title}`,
      backHref: `/knowledge/items/${id}`,
      itemId: id,
      list,
    });
  });

  app.get('/knowledge/items/:id/versions/:version', { config: item }, async (request, reply) => {
    const { id, version } = parsePathParams(versionParams, request.params);
    const v = await items.getVersion(request.actor!, id, version);
    return reply.page(`${V}/version.njk`, {
      pageTitle: `Version ${v.version} of ${v.title}`,
      backHref: `/knowledge/items/${id}/versions`,
      itemId: id,
      v,
    });
  });

  // Topics, named by the national team.
  async function topicsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    return reply.page(`${V}/topics.njk`, {
      pageTitle: 'Library topics',
      backHref: '/knowledge',
      topics: await items.listTopics(request.actor!),
      isNational: hasRole(request.actor!, 'national'),
      limits: LIMITS,
      values: {},
      ...extra,
    });
  }

  app.get('/knowledge/topics', { config: readers }, (request, reply) => topicsPage(request, reply));

  app.post('/knowledge/topics', { config: national }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) => topicsPage(request, reply, { errors, values: request.body }),
      async () => {
        const { name } = parseForm(topicInput, request.body);
        await items.addTopic(request.actor!, name);
        reply.flash(`The topic ${name} is added`);
        return reply.redirect('/knowledge/topics', 303);
      },
    ),
  );

  app.post(
    '/knowledge/topics/:id',
    { config: { ...national, scope: 'network' as const } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) =>
          topicsPage(request, reply, {
            errors: errors.map((e) => ({ ...e, field: e.field === 'name' ? `name-${id}` : e.field })),
            renaming: id,
            renameValue: (request.body as Record<string, unknown> | undefined)?.name,
          }),
        async () => {
          const { name } = parseForm(topicInput, request.body);
          await items.renameTopic(request.actor!, id, name);
          reply.flash(`The topic is renamed ${name}`);
          return reply.redirect('/knowledge/topics', 303);
        },
      );
    },
  );
}
