import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createUserSchema, roleGrantSchema, userListQuery } from '../accounts/accounts.schemas.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { NotFoundError } from '../errors.ts';
import { paginationFor, parseForm, parsePathParams, queryString, withFormErrors } from '../forms.ts';
import { ROLE_LABELS, ROLES } from '../permissions.ts';
import { idParam } from '../schemas.ts';
import type { AdminService } from './admin.service.ts';

const V = 'platform/admin/views';
const PAGE_SIZE = 25;
/** Lists count matches up to this many ("more than 1,000 accounts match"), not every row. */
const LIST_COUNT_CAP = 1_000;
const national = { access: ['national'] as const };

export const auditQuery = z.object({
  action: z.string().trim().max(100).optional(),
  entityType: z.string().trim().max(100).optional(),
  entityId: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(200).optional(),
  from: z.iso
    .date({ error: 'Enter the "from" date as YYYY-MM-DD' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  to: z.iso
    .date({ error: 'Enter the "to" date as YYYY-MM-DD' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const outboxQuery = z.object({
  to: z.string().trim().max(254).optional(),
  status: z
    .enum(['pending', 'sent', 'failed'])
    .optional()
    .or(z.literal('').transform(() => undefined)),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

/** The national team's pages for accounts, the audit log and the email outbox. */
export async function adminPages(
  app: FastifyInstance,
  opts: { admin: AdminService; accounts: AccountsService },
) {
  const { admin, accounts } = opts;
  const regionOptions = async () =>
    (await admin.listRegions()).map((r) => ({ value: r.code, text: `${r.name} (${r.code})` }));
  const roleItems = ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r] }));

  app.navItems.push(
    { href: '/admin/users', text: 'Accounts', roles: ['national'] },
    { href: '/admin/audit', text: 'Audit log', roles: ['national'] },
    { href: '/admin/outbox', text: 'Outbox', roles: ['national'] },
  );

  app.get('/admin/users', { config: national }, async (request, reply) => {
    const parsed = userListQuery.safeParse(request.query);
    const q = parsed.success ? parsed.data : { page: 1 };
    const { rows, total, capped } = await accounts.listUsers({
      ...q,
      pageSize: PAGE_SIZE,
      countCap: LIST_COUNT_CAP,
    });
    return reply.page(`${V}/users.njk`, {
      pageTitle: 'Accounts',
      gridClass: 'nhsuk-grid-column-full',
      users: rows.map((u) => ({
        ...u,
        roleText: u.roles
          .map((g) => `${ROLE_LABELS[g.role]}${g.regionCode ? ` (${g.regionCode})` : ''}`)
          .join(', '),
      })),
      query: q,
      roleItems: [{ value: '', text: 'Any role' }, ...roleItems],
      pagination: capped
        ? {
            ...paginationFor(q.page, PAGE_SIZE, total, (p) => `/admin/users${queryString(q, p)}`),
            summary: `More than ${total.toLocaleString('en-GB')} accounts match: narrow the search`,
          }
        : paginationFor(q.page, PAGE_SIZE, total, (p) => `/admin/users${queryString(q, p)}`),
    });
  });

  app.get('/admin/users/new', { config: national }, async (_request, reply) =>
    reply.page(`${V}/user-new.njk`, {
      pageTitle: 'Create an account',
      backHref: '/admin/users',
      roleItems,
      regionItems: [{ value: '', text: 'No region (national scope)' }, ...(await regionOptions())],
      values: {},
    }),
  );

  app.post('/admin/users', { config: national }, async (request, reply) =>
    withFormErrors(
      reply,
      async (errors) =>
        reply.page(`${V}/user-new.njk`, {
          pageTitle: 'Create an account',
          backHref: '/admin/users',
          roleItems,
          regionItems: [{ value: '', text: 'No region (national scope)' }, ...(await regionOptions())],
          values: request.body,
          errors,
        }),
      async () => {
        const input = parseForm(createUserSchema, request.body);
        const user = await accounts.createUser(
          {
            email: input.email,
            name: input.name,
            roles: [{ role: input.role, regionCode: input.region ?? null }],
          },
          request.actor!,
        );
        reply.flash(
          `Account created for ${user.email}. They have been emailed a link to set their password.`,
        );
        return reply.redirect(`/admin/users/${user.id}`, 303);
      },
      // An address already in use is the only rule broken here.
      { messageField: 'email' },
    ),
  );

  app.get('/admin/users/:id', { config: { ...national, scope: 'network' } }, async (request, reply) => {
    const { id } = parsePathParams(idParam, request.params);
    const user = await accounts.findUser(id);
    return reply.page(`${V}/user.njk`, {
      pageTitle: user.name,
      backHref: '/admin/users',
      user,
      roles: user.roles.map((g) => ({ ...g, label: ROLE_LABELS[g.role] })),
      roleItems,
      regionItems: [{ value: '', text: 'No region (national scope)' }, ...(await regionOptions())],
      isSelf: request.actor!.userId === id,
    });
  });

  app.post(
    '/admin/users/:id/disable',
    { config: { ...national, scope: 'network' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      await accounts.setDisabled(id, true, request.actor!);
      reply.flash('The account has been disabled and signed out everywhere');
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  app.post(
    '/admin/users/:id/enable',
    { config: { ...national, scope: 'network' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      await accounts.setDisabled(id, false, request.actor!);
      reply.flash('The account has been enabled');
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  app.post(
    '/admin/users/:id/roles',
    { config: { ...national, scope: 'network' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const grant = parseForm(roleGrantSchema, request.body);
      await accounts.grantRole(id, { role: grant.role, regionCode: grant.region ?? null }, request.actor!);
      reply.flash(`${ROLE_LABELS[grant.role]} role added`);
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  app.post(
    '/admin/users/:id/roles/remove',
    { config: { ...national, scope: 'network' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const grant = parseForm(roleGrantSchema, request.body);
      await accounts.revokeRole(id, { role: grant.role, regionCode: grant.region ?? null }, request.actor!);
      reply.flash(`${ROLE_LABELS[grant.role]} role removed`);
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  app.get('/admin/audit', { config: national }, async (request, reply) => {
    const parsed = auditQuery.safeParse(request.query);
    const q = parsed.success ? parsed.data : { page: 1 };
    const errors = parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'from'), message: i.message }));
    const [{ rows, total, capped }, actions] = await Promise.all([
      admin.listAudit({ ...q, pageSize: PAGE_SIZE }),
      admin.listAuditActions(),
    ]);
    if (errors.length) reply.status(400);
    return reply.page(`${V}/audit.njk`, {
      pageTitle: 'Audit log',
      gridClass: 'nhsuk-grid-column-full',
      rows,
      total,
      query: parsed.success ? q : request.query,
      errors,
      actionItems: [{ value: '', text: 'Any action' }, ...actions.map((a) => ({ value: a, text: a }))],
      pagination: capped
        ? {
            ...paginationFor(q.page, PAGE_SIZE, total, (p) => `/admin/audit${queryString(q, p)}`),
            summary: `More than ${total.toLocaleString('en-GB')} records match: narrow the search with the filters`,
          }
        : paginationFor(q.page, PAGE_SIZE, total, (p) => `/admin/audit${queryString(q, p)}`),
    });
  });

  app.get('/admin/outbox', { config: national }, async (request, reply) => {
    const parsed = outboxQuery.safeParse(request.query);
    const q = parsed.success ? parsed.data : { page: 1 };
    const { rows, total } = await admin.listOutbox({ ...q, pageSize: PAGE_SIZE });
    return reply.page(`${V}/outbox.njk`, {
      pageTitle: 'Email outbox',
      gridClass: 'nhsuk-grid-column-full',
      rows,
      total,
      query: q,
      pagination: paginationFor(q.page, PAGE_SIZE, total, (p) => `/admin/outbox${queryString(q, p)}`),
    });
  });

  app.get('/admin/outbox/:id', { config: { ...national, scope: 'network' } }, async (request, reply) => {
    const { id } = parsePathParams(idParam, request.params);
    const message = await admin.findOutboxMessage(id);
    if (!message) throw new NotFoundError('Message not found');
    return reply.page(`${V}/outbox-message.njk`, {
      pageTitle: message.subject,
      backHref: '/admin/outbox',
      message,
    });
  });
}
