import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withFormErrors as handleFormErrors, parseForm, pathId } from '../forms.ts';
import { SESSION_COOKIE } from '../http.ts';
import { landingPathFor, safeNextPath } from '../landing.ts';
import { type AnonymousActor, ROLE_LABELS } from '../permissions.ts';
import { PASSWORD_MIN_LENGTH } from '../security.ts';
import {
  apiTokenSchema,
  changePasswordSchema,
  forgotPasswordSchema,
  newPasswordSchema,
  setupSchema,
  signInSchema,
} from './accounts.schemas.ts';
import type { AccountsService } from './accounts.service.ts';

const V = 'platform/accounts/views';

export type AccountsPagesOptions = {
  accounts: AccountsService;
  secureCookies: boolean;
  sessionHours: number;
};

function anonymous(request: FastifyRequest, label = 'anonymous'): AnonymousActor {
  return { userId: null, label, ip: request.ip, requestId: request.id };
}

/** A form page of these pages: its template, view data and the values to show again after an error. */
type FormPage = { template: string; data: Record<string, unknown>; values: unknown };

/** Runs a form's action; a broken rule (or throttling) renders the page again with the NHS error summary. */
function withFormErrors(reply: FastifyReply, form: FormPage, action: () => Promise<unknown>) {
  return handleFormErrors(
    reply,
    (errors) => reply.page(form.template, { ...form.data, errors, values: form.values }),
    action,
    { messageField: 'email' },
  );
}

export async function accountsPages(app: FastifyInstance, opts: AccountsPagesOptions): Promise<void> {
  const { accounts } = opts;

  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: opts.secureCookies,
      path: '/',
      maxAge: opts.sessionHours * 3600,
    });

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    const next = safeNextPath((request.query as { next?: unknown }).next);
    if (request.actor) return reply.redirect(next ?? landingPathFor(request.actor.roles), 303);
    return reply.page(`${V}/sign-in.njk`, { pageTitle: 'Sign in', values: { next } });
  });

  app.post('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = {
      email: typeof body.email === 'string' ? body.email.slice(0, 254) : '',
      next: safeNextPath(body.next),
    };
    return withFormErrors(
      reply,
      { template: `${V}/sign-in.njk`, data: { pageTitle: 'Sign in' }, values },
      async () => {
        const input = parseForm(signInSchema, body);
        const { token, user } = await accounts.signIn(input, {
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        });
        // Rotate: whatever session the browser held before is ended, and a new id is issued.
        if (request.sessionToken) await accounts.signOut(request.sessionToken);
        setSessionCookie(reply, token);
        return reply.redirect(safeNextPath(input.next) ?? landingPathFor(user.roles), 303);
      },
    );
  });

  app.get('/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    if (!request.actor) return reply.redirect('/', 303);
    return reply.page(`${V}/sign-out.njk`, { pageTitle: 'Sign out' });
  });

  app.post('/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    if (request.sessionToken) await accounts.signOut(request.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.flash('You have signed out');
    return reply.redirect('/', 303);
  });

  app.get('/forgot-password', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page(`${V}/forgot-password.njk`, { pageTitle: 'Reset your password' }),
  );

  app.post(
    '/forgot-password',
    { config: { access: 'public', rateLimit: { max: 10, timeWindow: '15 minutes' } } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return withFormErrors(
        reply,
        { template: `${V}/forgot-password.njk`, data: { pageTitle: 'Reset your password' }, values: body },
        async () => {
          const { email } = parseForm(forgotPasswordSchema, body);
          await accounts.requestPasswordReset(email, anonymous(request, `password reset form (${email})`));
          return reply.page(`${V}/forgot-password-sent.njk`, { pageTitle: 'Check your email', email });
        },
      );
    },
  );

  app.get(
    '/reset-password/:token',
    { config: { access: 'public', scope: 'token' } },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const valid = await accounts.checkResetToken(token);
      if (!valid) {
        reply.status(404);
        return reply.page(`${V}/link-expired.njk`, { pageTitle: 'This link has expired' });
      }
      return reply.page(`${V}/reset-password.njk`, {
        pageTitle: valid.purpose === 'invite' ? 'Set your password' : 'Choose a new password',
        purpose: valid.purpose,
        email: valid.email,
        minLength: PASSWORD_MIN_LENGTH,
      });
    },
  );

  app.post(
    '/reset-password/:token',
    { config: { access: 'public', scope: 'token' } },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const valid = await accounts.checkResetToken(token);
      if (!valid) {
        reply.status(404);
        return reply.page(`${V}/link-expired.njk`, { pageTitle: 'This link has expired' });
      }
      const data = {
        pageTitle: valid.purpose === 'invite' ? 'Set your password' : 'Choose a new password',
        purpose: valid.purpose,
        email: valid.email,
        minLength: PASSWORD_MIN_LENGTH,
      };
      return withFormErrors(reply, { template: `${V}/reset-password.njk`, data, values: {} }, async () => {
        const { password } = parseForm(newPasswordSchema, request.body);
        await accounts.resetPassword(token, password, anonymous(request, `password link for ${valid.email}`));
        reply.flash('Your password has been set. Sign in with your new password.');
        return reply.redirect('/sign-in', 303);
      });
    },
  );

  app.get('/setup/:token', { config: { access: 'public', scope: 'token' } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    if (!(await accounts.isSetupTokenValid(token))) {
      reply.status(404);
      return reply.page(`${V}/link-expired.njk`, { pageTitle: 'This set-up link has expired' });
    }
    return reply.page(`${V}/setup.njk`, {
      pageTitle: 'Create the first national team account',
      minLength: PASSWORD_MIN_LENGTH,
    });
  });

  app.post('/setup/:token', { config: { access: 'public', scope: 'token' } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    if (!(await accounts.isSetupTokenValid(token))) {
      reply.status(404);
      return reply.page(`${V}/link-expired.njk`, { pageTitle: 'This set-up link has expired' });
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { name: body.name, email: body.email };
    return withFormErrors(
      reply,
      {
        template: `${V}/setup.njk`,
        data: { pageTitle: 'Create the first national team account', minLength: PASSWORD_MIN_LENGTH },
        values,
      },
      async () => {
        const input = parseForm(setupSchema, body);
        await accounts.completeSetup(token, input, anonymous(request, 'first administrator set-up link'));
        reply.flash('Your national team account has been created. Sign in to continue.');
        return reply.redirect('/sign-in', 303);
      },
    );
  });

  app.get('/account', { config: { access: 'signed-in' } }, async (request, reply) => {
    const actor = request.actor!;
    const tokens = await accounts.listApiTokens(actor);
    return reply.page(`${V}/account.njk`, {
      pageTitle: 'Your account',
      user: actor,
      roles: actor.roles.map((g) => ({ label: ROLE_LABELS[g.role], region: g.regionCode })),
      landing: landingPathFor(actor.roles),
      tokens,
    });
  });

  app.get('/account/password', { config: { access: 'signed-in' } }, async (_request, reply) =>
    reply.page(`${V}/change-password.njk`, {
      pageTitle: 'Change your password',
      minLength: PASSWORD_MIN_LENGTH,
      backHref: '/account',
    }),
  );

  app.post('/account/password', { config: { access: 'signed-in' } }, async (request, reply) =>
    withFormErrors(
      reply,
      {
        template: `${V}/change-password.njk`,
        data: { pageTitle: 'Change your password', minLength: PASSWORD_MIN_LENGTH, backHref: '/account' },
        values: {},
      },
      async () => {
        const input = parseForm(changePasswordSchema, request.body);
        await accounts.changePassword(
          request.actor!,
          input.currentPassword,
          input.newPassword,
          request.sessionToken,
        );
        reply.flash('Your password has been changed');
        return reply.redirect('/account', 303);
      },
    ),
  );

  app.get('/account/api-tokens/new', { config: { access: 'signed-in' } }, async (_request, reply) =>
    reply.page(`${V}/api-token-new.njk`, { pageTitle: 'Create an API token', backHref: '/account' }),
  );

  app.post('/account/api-tokens', { config: { access: 'signed-in' } }, async (request, reply) =>
    withFormErrors(
      reply,
      {
        template: `${V}/api-token-new.njk`,
        data: { pageTitle: 'Create an API token', backHref: '/account' },
        values: request.body,
      },
      async () => {
        const { name } = parseForm(apiTokenSchema, request.body);
        const created = await accounts.createApiToken(request.actor!, name);
        // Shown once, never stored in clear: the page itself must not be cached.
        return reply.page(`${V}/api-token-created.njk`, { pageTitle: 'Your new API token', created });
      },
    ),
  );

  app.post(
    '/account/api-tokens/:id/revoke',
    { config: { access: 'signed-in', scope: 'own' } },
    async (request, reply) => {
      await accounts.revokeApiToken(request.actor!, pathId(request.params));
      reply.flash('The API token has been revoked');
      return reply.redirect('/account', 303);
    },
  );
}
