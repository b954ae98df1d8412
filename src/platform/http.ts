import path from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { projectRoot } from '../paths.ts';
import type { AccountsService } from './accounts/accounts.service.ts';
import {
  AppError,
  type FieldError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from './errors.ts';
import { type Access, SCOPES } from './http-types.ts';
import { type Actor, hasRole, isNational } from './permissions.ts';
import { configureViewEnvironment, nhsukFrontendDir, templateDirs, viewOptions } from './views.ts';

export const SESSION_COOKIE = 'cln_session';
const FLASH_COOKIE = 'cln_flash';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Routes added by plugins (static files, API docs) that need no access declaration.
const UNDECLARED_PREFIXES = ['/assets', '/nhsuk', '/static', '/api/docs'];

export type HttpOptions = {
  cookieSecret: string;
  secureCookies: boolean;
  development: boolean;
  rateLimitPerMinute: number;
  accounts: AccountsService;
};

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/** Security headers, cookies, forms, CSRF, rate limits, static files and views. */
export async function registerHttpBasics(app: FastifyInstance, opts: HttpOptions): Promise<void> {
  app.decorate('navItems', []);
  app.decorate('scheduledTasks', []);
  app.decorate('declaredRoutes', []);

  app.addHook('onRoute', (route) => {
    if (UNDECLARED_PREFIXES.some((p) => route.url.startsWith(p)) || route.method === 'HEAD') return;
    const { access, scope } = route.config ?? {};
    if (!access) {
      throw new Error(`Route ${String(route.method)} ${route.url} does not declare config.access`);
    }
    if (scope !== undefined && !SCOPES.includes(scope)) {
      throw new Error(
        `Route ${String(route.method)} ${route.url} declares an unknown config.scope '${scope}'`,
      );
    }
    if (route.url.includes(':') && !scope) {
      throw new Error(
        `Route ${String(route.method)} ${route.url} names a record in its path but does not declare config.scope`,
      );
    }
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        app.declaredRoutes.push({ method, url: route.url, access, ...(scope ? { scope } : {}) });
  });

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: opts.secureCookies ? [] : null,
      },
    },
    // Served over http on loopback in development; HSTS only when cookies are Secure (https).
    hsts: opts.secureCookies,
  });

  await app.register(cookie, { secret: opts.cookieSecret });
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(csrf, {
    cookieKey: 'cln_csrf',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: opts.secureCookies },
    getToken: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      const header = req.headers['x-csrf-token'];
      return fromBody ?? (typeof header === 'string' ? header : undefined);
    },
  });
  await app.register(rateLimit, { global: true, max: opts.rateLimitPerMinute, timeWindow: '1 minute' });

  await app.register(fastifyStatic, {
    root: path.join(nhsukFrontendDir, 'nhsuk', 'assets'),
    prefix: '/assets/',
    maxAge: opts.development ? 0 : '1d',
  });
  await app.register(fastifyStatic, {
    root: path.join(nhsukFrontendDir, 'nhsuk'),
    prefix: '/nhsuk/',
    decorateReply: false,
    allowedPath: (p) => /^\/nhsuk-frontend\.min\.(css|js)(\.map)?$/.test(p),
    maxAge: opts.development ? 0 : '1d',
  });
  await app.register(fastifyStatic, {
    root: path.join(projectRoot, 'public'),
    prefix: '/static/',
    decorateReply: false,
    maxAge: opts.development ? 0 : '1h',
  });

  await app.register(view, {
    engine: { nunjucks },
    templates: templateDirs,
    production: !opts.development,
    options: { ...viewOptions, noCache: opts.development, onConfigure: configureViewEnvironment },
  });

  app.decorateRequest('actor', null);
  app.decorateRequest('authMethod', null);
  app.decorateRequest('sessionToken', null);

  // Who is asking: a session cookie (pages) or a bearer token (API). Runs before body parsing.
  app.addHook('onRequest', async (request) => {
    const auth = request.headers.authorization;
    if (auth && /^bearer\s/i.test(auth)) {
      const user = await opts.accounts.resolveApiToken(auth.slice(7).trim());
      if (!user) throw new UnauthenticatedError('The API token is not valid or has been revoked');
      request.actor = { ...user, ip: request.ip, requestId: request.id };
      request.authMethod = 'token';
      return;
    }
    const raw = request.cookies[SESSION_COOKIE];
    const token = raw ? request.unsignCookie(raw) : undefined;
    if (token?.valid && token.value) {
      const user = await opts.accounts.resolveSession(token.value);
      if (user) {
        request.actor = { ...user, ip: request.ip, requestId: request.id };
        request.authMethod = 'session';
        request.sessionToken = token.value;
      }
    }
  });

  // CSRF: every state-changing request that a browser could send with our cookies carries a token.
  // Bearer-token API calls carry no ambient credentials, and anonymous API calls act as nobody.
  app.addHook('preHandler', (request, reply, done) => {
    if (!UNSAFE_METHODS.has(request.method)) return done();
    if (request.authMethod === 'token') return done();
    if (isApiRequest(request) && request.authMethod === null) return done();
    app.csrfProtection(request, reply, done);
  });

  // Access: the route's declared audience, checked before the body is validated (so a caller
  // outside it learns nothing of the route's schema and gets 401/403, not 400) and before the handler.
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config?.access as Access | undefined;
    if (!access || access === 'public') return;
    if (!request.actor) throw new UnauthenticatedError();
    if (access === 'signed-in') return;
    if (!isNational(request.actor) && !access.some((role) => hasRole(request.actor, role))) {
      throw new ForbiddenError('You do not have permission to see this page');
    }
  });

  app.decorateReply('flash', function (this: FastifyReply, message: string) {
    this.setCookie(FLASH_COOKIE, message.slice(0, 300), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: opts.secureCookies,
    });
  });

  app.decorateReply(
    'page',
    async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      const request = this.request;
      let flash: string | undefined;
      const rawFlash = request.cookies[FLASH_COOKIE];
      if (rawFlash) {
        const f = request.unsignCookie(rawFlash);
        if (f.valid) flash = f.value ?? undefined;
        this.clearCookie(FLASH_COOKIE, { path: '/' });
      }
      const actor = request.actor;
      const navigation = actor
        ? app.navItems
            // A menu of the person's own roles: the national team may open every page, but its menu
            // lists only the items meant for it (those that name 'national').
            .filter(
              (n) => n.roles === 'signed-in' || n.roles.some((r) => actor.roles.some((g) => g.role === r)),
            )
            .map((n) => ({ href: n.href, text: n.text, current: request.url === n.href }))
        : [];
      this.type('text/html; charset=utf-8');
      this.header('cache-control', 'no-store');
      return this.view(template, {
        currentUser: actor ? { name: actor.name, email: actor.email } : null,
        csrfToken: this.generateCsrf(),
        cspNonce: this.cspNonce.script,
        navigation,
        flash,
        ...data,
      });
    },
  );
}

/** A stable code and a message a person understands for errors raised before our code runs. */
function describeFrameworkError(err: FastifyError): { code: string; message: string } {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        code: 'unsupported_media_type',
        message:
          'The request has a content type this address does not accept. Send JSON (application/json) or a form.',
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', message: 'The request is too large.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_json', message: 'The request body is not valid JSON.' };
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return {
        code: 'csrf_invalid',
        message:
          'This form has expired or was not sent from this site. Go back, reload the page and try again.',
      };
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return {
        code: 'rate_limited',
        message: 'There have been too many requests from your address. Wait a minute and try again.',
      };
    default:
      return { code: 'bad_request', message: err.message.replace(/^body\//, '') };
  }
}

const HEADINGS: Record<number, string> = {
  400: 'There is a problem with your request',
  401: 'You need to sign in',
  403: 'You do not have permission to see this page',
  404: 'Page not found',
  409: 'That could not be done',
  413: 'The request is too large',
  415: 'The request is not in a format this service accepts',
  429: 'Too many requests',
};

/** One handler renders every error as an NHS page or as JSON `{ error: { code, message } }`. */
export function registerErrorHandling(app: FastifyInstance, opts: { development: boolean }): void {
  app.setErrorHandler(async (error: FastifyError | AppError | Error, request, reply) => {
    let status = 500;
    let code = 'internal_error';
    let message = 'Sorry, there is a problem with the service. Try again later.';
    let fieldErrors: FieldError[] | undefined;

    if (error instanceof AppError) {
      status = error.status;
      code = error.code;
      message = error.message;
      if (error instanceof ValidationError) fieldErrors = error.errors;
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      code = 'validation_failed';
      fieldErrors = error.validation.map((v) => {
        const issue = (v.params as { issue?: { code?: string; keys?: string[]; path?: PropertyKey[] } })
          .issue;
        return {
          field: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || issue?.path?.join('.') || 'body',
          message:
            issue?.code === 'unrecognized_keys'
              ? `Unknown field: ${(issue.keys ?? []).join(', ')}`
              : (v.message ?? 'Invalid value'),
        };
      });
      message = fieldErrors.map((f) => `${f.field}: ${f.message}`).join('. ');
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      status = error.statusCode;
      ({ code, message } = describeFrameworkError(error as FastifyError));
    }

    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, code }, message);

    if (status === 401 && !isApiRequest(request) && request.method === 'GET') {
      return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
    }
    reply.status(status);
    if (
      isApiRequest(request) ||
      (!request.headers.accept?.includes('html') && request.headers.accept?.includes('json'))
    ) {
      const body: { error: { code: string; message: string; fields?: FieldError[]; requestId?: string } } = {
        error: { code, message },
      };
      if (fieldErrors) body.error.fields = fieldErrors;
      if (status >= 500) body.error.requestId = request.id;
      return reply.type('application/json').send(body);
    }
    try {
      // reply.page renders and sends the page itself (sending its result again made Fastify warn
      // "Reply was already sent" on every HTML error page).
      await reply.page('views/errors/error.njk', {
        pageTitle:
          HEADINGS[status] ?? (status >= 500 ? 'Sorry, there is a problem with the service' : 'Error'),
        heading: HEADINGS[status] ?? (status >= 500 ? 'Sorry, there is a problem with the service' : 'Error'),
        paragraphs:
          status >= 500 ? [message, opts.development ? String(error.stack) : ''].filter(Boolean) : [message],
        requestId: status >= 500 ? request.id : undefined,
      });
      return reply;
    } catch (renderError) {
      request.log.error({ err: renderError }, 'error page failed to render');
      return reply.status(status).type('text/plain').send(message);
    }
  });

  app.setNotFoundHandler({ preHandler: app.rateLimit ? app.rateLimit() : undefined }, async () => {
    throw new NotFoundError(
      'If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.',
    );
  });
}

export type { Actor };
