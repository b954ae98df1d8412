import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { paginationFor, parseForm, parseQuery, pathId, withFormErrors } from '../../platform/forms.ts';
import { isNational } from '../../platform/permissions.ts';
import { pageQuery } from '../../platform/schemas.ts';
import type { PolicyStaff } from './policy.staff.ts';
import { ownRoleInput, staffInput } from './policy.staff.schemas.ts';

const V = 'modules/policy/views/staff';
const team = { access: ['policy-maker'] as const };
const national = { access: ['national'] as const };

/** The policy staff page: named roles and patient-safety leads. */
export async function staffPages(app: FastifyInstance, opts: { staff: PolicyStaff }) {
  const { staff } = opts;

  async function listPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const { page } = parseQuery(pageQuery, request.query);
    const actor = request.actor!;
    const [list, own] = await Promise.all([staff.listStaff(actor, page), staff.getOwnStaff(actor)]);
    return reply.page(`${V}/list.njk`, {
      pageTitle: 'Policy staff',
      gridClass: 'nhsuk-grid-column-full',
      list,
      own,
      national: isNational(actor),
      values: extra.values ?? { roleTitle: own?.roleTitle ?? '' },
      pagination: paginationFor(page, list.pageSize, list.total, (p) => `/policy/staff?page=${p}`),
      ...extra,
    });
  }

  app.get('/policy/staff', { config: team }, (request, reply) => listPage(request, reply));

  app.post('/policy/staff/me', { config: team }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) => listPage(request, reply, { errors, values: request.body }),
      async () => {
        const saved = await staff.saveOwnRole(request.actor!, parseForm(ownRoleInput, request.body));
        reply.flash(`Your named role is now ${saved.roleTitle}`);
        return reply.redirect('/policy/staff', 303);
      },
    ),
  );

  async function personPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Record<string, unknown> = {},
  ) {
    const person = await staff.getStaff(request.actor!, id);
    return reply.page(`${V}/person.njk`, {
      pageTitle: `Named role of ${person.name}`,
      backHref: '/policy/staff',
      person,
      values: extra.values ?? {
        roleTitle: person.roleTitle ?? '',
        safetyLead: person.safetyLead ? 'yes' : undefined,
      },
      ...extra,
    });
  }

  app.get('/policy/staff/:id', { config: { ...national, scope: 'network' } }, (request, reply) =>
    personPage(request, reply, pathId(request.params)),
  );

  app.post('/policy/staff/:id', { config: { ...national, scope: 'network' } }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => personPage(request, reply, id, { errors, values: request.body }),
      async () => {
        const saved = await staff.saveStaff(request.actor!, id, parseForm(staffInput, request.body));
        reply.flash(
          `${saved.name} is recorded as ${saved.roleTitle}${saved.safetyLead ? ', a named patient-safety lead' : ''}`,
        );
        return reply.redirect('/policy/staff', 303);
      },
    );
  });
}
