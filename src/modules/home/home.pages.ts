import type { FastifyInstance } from 'fastify';
import { landingPathFor, LANDING_PAGES } from '../../platform/landing.ts';
import { type Actor, hasRole, ROLE_LABELS } from '../../platform/permissions.ts';
import type { PolicyHomeFigures } from '../policy/index.ts';
import type { OpenIntakes } from '../recruitment/index.ts';
import { LANDING_CARDS, policyMakerCards } from './home.cards.ts';

const V = 'modules/home/views';

/** Each role's own page after sign-in, and the site's fixed pages. */
export async function homePages(
  app: FastifyInstance,
  opts: {
    openIntakes: () => Promise<OpenIntakes>;
    policyHomeFigures: (actor: Actor) => Promise<PolicyHomeFigures>;
    upcomingEvents?: (actor: Actor) => Promise<{ id: number; title: string; when: string }[]>;
  },
) {
  app.get('/dashboard', { config: { access: 'signed-in' } }, async (request, reply) =>
    reply.redirect(landingPathFor(request.actor!.roles), 303),
  );

  for (const landing of LANDING_PAGES) {
    app.get(landing.path, { config: { access: [landing.role] } }, async (request, reply) => {
      const actor = request.actor!;
      const regions = actor.roles
        .filter((g) => g.role === landing.role && g.regionCode)
        .map((g) => g.regionCode);
      const others = LANDING_PAGES.filter((p) => p.path !== landing.path && hasRole(actor, p.role));
      return reply.page(`${V}/landing.njk`, {
        pageTitle: landing.title,
        role: landing.role,
        roleLabel: ROLE_LABELS[landing.role],
        regions,
        others,
        gridClass: 'nhsuk-grid-column-full',
        ...LANDING_CARDS[landing.role],
        ...(landing.role === 'member' && opts.upcomingEvents
          ? { yourEvents: await opts.upcomingEvents(actor) }
          : {}),
        ...(landing.role === 'policy-maker'
          ? { cards: policyMakerCards(await opts.policyHomeFigures(actor)) }
          : {}),
      });
    });
  }

  app.get('/about', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page(`${V}/about.njk`, { pageTitle: 'About the network', intakes: await opts.openIntakes() }),
  );

  for (const [path, template, title] of [
    ['/privacy', 'privacy', 'Privacy notice'],
    ['/accessibility', 'accessibility', 'Accessibility statement'],
  ] as const) {
    app.get(path, { config: { access: 'public' } }, async (_request, reply) =>
      reply.page(`${V}/${template}.njk`, { pageTitle: title }),
    );
  }
}
