import { createHash } from 'node:crypto';
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
import { anyQueryString, defaultPathParams, findUnsafeText, pathParameterNames } from './input.ts';
import { type Actor, hasRole, isNational } from './permissions.ts';
import { hashToken } from './security.ts';
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

/** What a CSRF token is bound to: the session (by its hash, never the id itself), or none. */
function csrfBinding(request: FastifyRequest): string {
  return request.sessionToken ? `session:${hashToken(request.sessionToken)}` : 'signed-out';
}

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
    // Path parameters and query strings pass a schema on every route, as bodies do: the route's own,
    // or the shared layer's (input.ts) when it declares none, so no handler ever sees an unchecked one.
    route.schema ??= {};
    const names = pathParameterNames(route.url);
    // The API documents what it takes: its operations name their own parameters' schemas.
    if (route.url.startsWith('/api/v1/') && names.length && !route.schema.params)
      throw new Error(
        `API route ${String(route.method)} ${route.url} declares no schema for its path parameters`,
      );
    if (names.length && !route.schema.params) route.schema.params = defaultPathParams(names);
    route.schema.querystring ??= anyQueryString;
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
    // Each token is bound to the session it was issued to (signed out: to no session), so a token
    // from another session is refused even if that session's CSRF cookie was planted alongside it.
    csrfOpts: { hmacKey: createHash('sha256').update(`csrf:${opts.cookieSecret}`).digest() },
    getUserInfo: csrfBinding,
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

  // Text no field may hold (NUL and other controls, lone surrogates, bidi overrides: see input.ts),
  // refused for every route before any schema or handler sees it: path parameters, query strings
  // and bodies alike, forms and JSON alike.
  app.addHook('preValidation', async (request) => {
    const inPath = findUnsafeText(request.params);
    if (inPath.length) throw isApiRequest(request) ? new ValidationError(inPath) : new NotFoundError();
    const problems = [...findUnsafeText(request.query), ...findUnsafeText(request.body)];
    if (problems.length) throw new ValidationError(problems);
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
      const rawFlash = request.cookies?.[FLASH_COOKIE];
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
        csrfToken: this.generateCsrf({ userInfo: csrfBinding(request) }),
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

/** PostgreSQL's "invalid byte sequence" (22021) and "untranslatable character" (22P05). */
function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '22021' || code === '22P05';
}

/**
 * Errors the router raises before any route or hook runs: a path that is not valid percent-encoding
 * (`%ED%A0%80`, `%`) or a path parameter longer than the router takes. Neither can name a page, so
 * each is the usual 404 (JSON `{ error }` for the API, the NHS page otherwise) instead of Fastify's
 * own JSON body. No hook has run (no cookies, no CSP nonce), so the page is the anonymous one, with
 * the headers helmet would have sent.
 */
export async function answerFrameworkError(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const notFound = new NotFoundError();
  reply.status(404).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  if (isApiRequest(request) || !request.headers.accept?.includes('html')) {
    await reply.type('application/json').send({ error: { code: notFound.code, message: notFound.message } });
    return;
  }
  reply
    .header('content-security-policy', FRAMEWORK_ERROR_CSP)
    .header('x-frame-options', 'SAMEORIGIN')
    .type('text/html; charset=utf-8');
  const html = await app.view('views/errors/error.njk', {
    pageTitle: HEADINGS[404],
    heading: HEADINGS[404],
    paragraphs: ['If you typed the web address, check it is correct.'],
    currentUser: null,
    csrfToken: '',
    navigation: [],
  });
  await reply.send(html);
}

const FRAMEWORK_ERROR_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";

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
    } else if (
      hasZodFastifySchemaValidationErrors(error) &&
      (error as { validationContext?: string }).validationContext === 'params' &&
      !isApiRequest(request)
    ) {
      // A path that cannot name a record names a page that does not exist (as parsePathParams says).
      status = 404;
      code = 'not_found';
      message = new NotFoundError().message;
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
    } else if (isUnstorableText(error)) {
      // A backstop for text the shared check (input.ts) let through but the database cannot hold.
      status = 400;
      code = 'validation_failed';
      message =
        'The request holds characters that cannot be stored. Remove any control characters and try again.';
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
      // A refused form is not a missing permission: say what happened to it.
      const heading =
        (code === 'csrf_invalid' ? 'This form has expired' : HEADINGS[status]) ??
        (status >= 500 ? 'Sorry, there is a problem with the service' : 'Error');
      await reply.page('views/errors/error.njk', {
        pageTitle: heading,
        heading,
        paragraphs:
          status >= 500 ? [message, opts.development ? String(error.stack) : ''].filter(Boolean) : [message],
        errors: fieldErrors,
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
