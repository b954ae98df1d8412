import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { paginationFor, parseForm, parseQuery, pathId, withFormErrors } from '../../platform/forms.ts';
import { pageQuery } from '../../platform/schemas.ts';
import type { PolicySafety } from './policy.safety.ts';
import { acknowledgeInput } from './policy.safety.schemas.ts';

const V = 'modules/policy/views/safety';
// Policy makers reach the route; the service lets only the named safety leads (and national) in.
const leads = { access: ['policy-maker'] as const, scope: 'safety' as const };

/** The patient-safety concerns page of the safety leads and the national team. */
export async function safetyPages(app: FastifyInstance, opts: { safety: PolicySafety }) {
  const { safety } = opts;

  app.get('/policy/safety', { config: { access: ['policy-maker'] } }, async (request, reply) => {
    const { page } = parseQuery(pageQuery, request.query);
    const list = await safety.listConcerns(request.actor!, page);
    return reply.page(`${V}/list.njk`, {
      pageTitle: 'Patient-safety concerns',
      gridClass: 'nhsuk-grid-column-full',
      list,
      overdueCount: list.open.filter((c) => c.overdue).length,
      pagination: paginationFor(
        page,
        list.pageSize,
        list.acknowledgedTotal,
        (p) => `/policy/safety?page=${p}`,
      ),
    });
  });

  async function concernPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Record<string, unknown> = {},
  ) {
    const concern = await safety.getConcern(request.actor!, id);
    return reply.page(`${V}/show.njk`, {
      pageTitle: `Patient-safety concern ${concern.id}`,
      backHref: '/policy/safety',
      concern,
      values: extra.values ?? {},
      ...extra,
    });
  }

  app.get('/policy/safety/:id', { config: leads }, (request, reply) =>
    concernPage(request, reply, pathId(request.params)),
  );

  app.post('/policy/safety/:id/acknowledge', { config: leads }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => concernPage(request, reply, id, { errors, values: request.body }),
      async () => {
        await safety.acknowledge(request.actor!, id, parseForm(acknowledgeInput, request.body));
        reply.flash('The concern is acknowledged and the person who raised it has been sent your note');
        return reply.redirect(`/policy/safety/${id}`, 303);
      },
      { messageField: 'note' },
    );
  });
}
