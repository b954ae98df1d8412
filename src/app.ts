import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from './config.ts';
import { DATA_RIGHTS_CONTRIBUTORS } from './data-rights.ts';
import type { DB } from './db/database.ts';
import { developmentModule } from './modules/development/index.ts';
import { createUpcomingEvents, eventsModule } from './modules/events/index.ts';
import { homeModule } from './modules/home/index.ts';
import { learningSetsModule } from './modules/learning-sets/index.ts';
import { membersModule } from './modules/members/index.ts';
import { isMentorOf, mentoringModule } from './modules/mentoring/index.ts';
import { knowledgeModule } from './modules/knowledge/index.ts';
import {
  createPolicyDashboardFigures,
  createPolicyHomeFigures,
  policyModule,
} from './modules/policy/index.ts';
import { programmeModule } from './modules/programme/index.ts';
import { createRecruitmentService, recruitmentModule } from './modules/recruitment/index.ts';
import { accountsPages } from './platform/accounts/accounts.pages.ts';
import { ensureSetting } from './platform/accounts/accounts.repository.ts';
import { type AccountsService, createAccountsService } from './platform/accounts/accounts.service.ts';
import { adminPages } from './platform/admin/admin.pages.ts';
import { createAdminService } from './platform/admin/admin.service.ts';
import { platformApi } from './platform/api.ts';
import { anyQueryString } from './platform/input.ts';
import { answerFrameworkError, registerErrorHandling, registerHttpBasics } from './platform/http.ts';
import './platform/http-types.ts';
import { createEngineJobs } from './platform/engine-jobs.ts';
import { createFileStore, deleteStoredFiles } from './platform/file-store.ts';
import { createToken } from './platform/security.ts';
import { createWorkerPool } from './platform/workers.ts';

export type AppDeps = {
  config: Config;
  db: DB;
  backend: 'pglite' | 'postgres';
  /** false silences request logs (tests); otherwise pino at config.logLevel. */
  logger?: boolean;
};

export type App = FastifyInstance & { services: { accounts: AccountsService } };

/** Builds the application: platform plugins, then modules. Never listens. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, db } = deps;
  const development = config.env === 'development';
  const app: FastifyInstance = Fastify({
    logger: deps.logger === false ? false : { level: config.logLevel },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => createToken(9),
    routerOptions: { ignoreTrailingSlash: true },
    // Called at request time, once `app` exists and its views are registered.
    frameworkErrors: (_error, request, reply) => answerFrameworkError(app, request, reply),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const accounts = createAccountsService({ db, config });
  // Uploaded files: on disk in embedded mode, in an S3-compatible bucket when configured.
  const files = createFileStore(config);
  app.addHook('onClose', async () => files.close());
  // One secret for every process that shares the database, so cookies signed by one are valid in all.
  const cookieSecret = await ensureSetting(db, 'cookie_secret', createToken(48));
  const secureCookies = config.baseUrl.startsWith('https://');

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Clinical Leaders Network API',
        version: config.version,
        description:
          'The JSON API of the Clinical Leaders Network platform. Authenticate with a personal API token ' +
          '(create one on your account page) sent as `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // The shared default query schema (any filter a page reads itself) is no documented parameter.
    transform: (args) =>
      jsonSchemaTransform(
        args.schema?.querystring === anyQueryString
          ? { ...args, schema: { ...args.schema, querystring: undefined } }
          : args,
      ),
  });
  // The docs' own policy, as strict as the pages' (the plugin's default allows any https stylesheet,
  // lets other sites of the origin frame the docs and upgrades requests even on plain http).
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: {
      'default-src': "'self'",
      'base-uri': "'self'",
      'font-src': "'self' data:",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'img-src': "'self' data:",
      'object-src': "'none'",
      'script-src': "'self'",
      'script-src-attr': "'none'",
      'style-src': "'self'",
      ...(secureCookies ? { 'upgrade-insecure-requests': '' } : {}),
    },
  });

  await registerHttpBasics(app, {
    cookieSecret,
    secureCookies,
    development,
    rateLimitPerMinute: config.rateLimitPerMinute,
    accounts,
  });
  registerErrorHandling(app, { development });

  app.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>().get(
    '/healthz',
    {
      config: { access: 'public', rateLimit: false },
      schema: {
        tags: ['platform'],
        summary: 'Service health',
        response: {
          200: z.object({
            status: z.literal('ok'),
            database: z.enum(['pglite', 'postgres']),
            version: z.string(),
          }),
        },
      },
    },
    async () => {
      await db.selectFrom('app_settings').select('key').limit(1).execute();
      return { status: 'ok' as const, database: deps.backend, version: config.version };
    },
  );

  app.scheduledTasks.push({
    name: 'accounts.housekeeping',
    everyMinutes: 10,
    run: () => accounts.housekeeping(),
  });
  if (deps.backend === 'pglite') {
    // PGlite runs PostgreSQL in single-user mode, without autovacuum: without this, dead rows pile
    // up, index-only scans read the table again and the planner's statistics go stale. About 2 s at
    // 10,000 members, during which requests wait; daily, and not at start (first page within 3 s).
    app.scheduledTasks.push({
      name: 'database.vacuum',
      everyMinutes: 24 * 60,
      firstRunAfterInterval: true,
      run: () => sql`vacuum (analyze)`.execute(db),
    });
  }

  await accountsPages(app, { accounts, secureCookies, sessionHours: config.session.absoluteHours });
  await platformApi(app, { db, accounts });
  // Recruitment owns each region's places and their waitlist: the programme page's target goes
  // through it. Its intakes taking applications are the way in on the home and about pages.
  const recruitment = createRecruitmentService({ db, config });
  const openIntakes = () => recruitment.describeOpenIntakes();
  await homeModule(app, {
    openIntakes,
    policyHomeFigures: createPolicyHomeFigures({ db }),
    upcomingEvents: createUpcomingEvents({ db, config }),
  });
  await adminPages(app, { admin: createAdminService({ db }), accounts });
  await programmeModule(app, {
    db,
    config,
    setRecruitmentTarget: recruitment.setPlaces,
    openIntakes,
    policyChannel: createPolicyDashboardFigures({ db }),
  });
  await recruitmentModule(app, { db, config, recruitment });
  await membersModule(app, {
    db,
    config,
    dataRights: DATA_RIGHTS_CONTRIBUTORS,
    // After an erasure commits, the blobs of the files whose rows it deleted leave the file store.
    runAfterErasure: async (after) => {
      await deleteStoredFiles(files, after.storedFiles, (ref, err) =>
        app.log.error({ err, storage: ref.storage, key: ref.key }, 'an erased file could not be deleted'),
      );
    },
  });
  await developmentModule(app, {
    db,
    config,
    isMentorOf,
  });
  // Set formation and matching run in worker threads, as jobs recorded in the database, so a
  // formation never holds up anyone else's request (src/platform/workers.ts, engine-jobs.ts).
  const pool = createWorkerPool();
  const jobs = createEngineJobs({ db, log: app.log });
  app.addHook('onClose', async () => {
    await jobs.close();
    await pool.close();
  });
  await learningSetsModule(app, { db, config, pool, jobs });
  await mentoringModule(app, { db, config, pool, jobs });
  await policyModule(app, { db, config, pool, jobs });
  await knowledgeModule(app, { db, config, pool, jobs, files });
  await eventsModule(app, { db, config });

  app.decorate('services', { accounts });
  return app as unknown as App;
}
