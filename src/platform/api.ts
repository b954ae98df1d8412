import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DB } from '../db/database.ts';
import { createUserSchema, roleGrantOut, userListQuery, userOut } from './accounts/accounts.schemas.ts';
import type { AccountsService } from './accounts/accounts.service.ts';
import { auditQuery, outboxQuery } from './admin/admin.pages.ts';
import { listAudit } from './audit.ts';
import { listOutbox } from './outbox.ts';
import { apiErrorSchema, idParam } from './schemas.ts';

const errorOut = apiErrorSchema;
const API_PAGE_SIZE = 50;

/** JSON API for accounts, the audit log and the outbox, under /api/v1. */
export async function platformApi(appBase: FastifyInstance, opts: { db: DB; accounts: AccountsService }) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const { db, accounts } = opts;

  app.get(
    '/api/v1/me',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['accounts'],
        summary: 'The signed-in user and their roles',
        response: {
          200: z.object({
            id: z.number(),
            email: z.string(),
            name: z.string(),
            roles: z.array(roleGrantOut),
          }),
          401: errorOut,
        },
      },
    },
    async (request) => {
      const a = request.actor!;
      return { id: a.userId, email: a.email, name: a.name, roles: a.roles };
    },
  );

  app.get(
    '/api/v1/me/tokens',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['accounts'],
        summary: 'Your personal API tokens (never the token itself)',
        response: {
          200: z.object({
            tokens: z.array(
              z.object({
                id: z.number(),
                name: z.string(),
                prefix: z.string(),
                createdAt: z.date(),
                lastUsedAt: z.date().nullable(),
                revoked: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      tokens: (await accounts.listApiTokens(request.actor!)).map((t) => ({
        id: t.id,
        name: t.name,
        prefix: t.token_prefix,
        createdAt: t.created_at,
        lastUsedAt: t.last_used_at,
        revoked: t.revoked_at !== null,
      })),
    }),
  );

  app.delete(
    '/api/v1/me/tokens/:id',
    {
      config: { access: 'signed-in', scope: 'own' },
      schema: {
        tags: ['accounts'],
        summary: 'Revoke one of your API tokens',
        params: idParam,
        response: { 204: z.null(), 404: errorOut },
      },
    },
    async (request, reply) => {
      await accounts.revokeApiToken(request.actor!, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/users',
    {
      config: { access: ['national'] },
      schema: {
        tags: ['accounts'],
        summary: 'List accounts (national team)',
        querystring: userListQuery,
        response: {
          200: z.object({
            total: z.number().describe('Matches, counted up to 1,000 (see `capped`)'),
            capped: z.boolean().describe('True when more than `total` accounts match'),
            page: z.number(),
            users: z.array(userOut),
          }),
          403: errorOut,
        },
      },
    },
    async (request) => {
      const { rows, total, capped } = await accounts.listUsers({
        ...request.query,
        pageSize: API_PAGE_SIZE,
        countCap: 1_000,
      });
      return {
        total,
        capped,
        page: request.query.page,
        users: rows.map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          disabled: u.disabled_at !== null,
          roles: u.roles,
        })),
      };
    },
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: ['national'] },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account (national team); the person is emailed a link to set a password',
        body: createUserSchema,
        response: { 201: userOut, 400: errorOut, 403: errorOut, 409: errorOut },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const user = await accounts.createUser(
        { email: b.email, name: b.name, roles: [{ role: b.role, regionCode: b.region ?? null }] },
        request.actor!,
      );
      return reply.status(201).send({ ...user, disabled: false });
    },
  );

  app.get(
    '/api/v1/users/:id',
    {
      config: { access: ['national'], scope: 'network' },
      schema: {
        tags: ['accounts'],
        summary: 'One account (national team)',
        params: idParam,
        response: { 200: userOut, 404: errorOut },
      },
    },
    async (request) => {
      const u = await accounts.findUser(request.params.id);
      return { id: u.id, email: u.email, name: u.name, disabled: u.disabled_at !== null, roles: u.roles };
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { access: ['national'] },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (national team)',
        querystring: auditQuery,
        response: {
          200: z.object({
            total: z.number(),
            page: z.number(),
            records: z.array(
              z.object({
                id: z.number(),
                at: z.date(),
                actor: z.string(),
                action: z.string(),
                entityType: z.string(),
                entityId: z.string().nullable(),
                summary: z.string(),
                ip: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { rows, total } = await listAudit(db, { ...request.query, pageSize: API_PAGE_SIZE });
      return {
        total,
        page: request.query.page,
        records: rows.map((r) => ({
          id: r.id,
          at: r.at,
          actor: r.actorLabel,
          action: r.action,
          entityType: r.entityType,
          entityId: r.entityId,
          summary: r.summary,
          ip: r.ip,
        })),
      };
    },
  );

  app.get(
    '/api/v1/outbox',
    {
      config: { access: ['national'] },
      schema: {
        tags: ['outbox'],
        summary: 'Queued and sent email (national team)',
        querystring: outboxQuery,
        response: {
          200: z.object({
            total: z.number(),
            page: z.number(),
            messages: z.array(
              z.object({
                id: z.number(),
                createdAt: z.date(),
                to: z.string(),
                subject: z.string(),
                text: z.string(),
                kind: z.string(),
                status: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { rows, total } = await listOutbox(db, { ...request.query, pageSize: API_PAGE_SIZE });
      return {
        total,
        page: request.query.page,
        messages: rows.map((m) => ({
          id: m.id,
          createdAt: m.createdAt,
          to: m.to,
          subject: m.subject,
          text: m.text,
          kind: m.kind,
          status: m.status,
        })),
      };
    },
  );
}
