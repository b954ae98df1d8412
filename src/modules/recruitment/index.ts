import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import { recruitmentApi } from './recruitment.api.ts';
import { applyPages } from './recruitment.apply.pages.ts';
import { reviewPages } from './recruitment.review.pages.ts';
import { EMPLOYER_SEARCH_SCRIPT } from './recruitment.script.ts';
import type { RecruitmentService } from './recruitment.service.ts';

export { registerRecruitmentCli } from './recruitment.cli.ts';
export { recruitmentDemoStep } from './recruitment.demo.ts';
export { buildSubmission } from './recruitment.factories.ts';
export { listSponsorsOf } from './recruitment.sponsor-queries.ts';
export {
  createRecruitmentService,
  type OpenIntakes,
  type PublicIntake,
  type RecruitmentService,
} from './recruitment.service.ts';

/** Quotas, the public application, sponsor endorsement, review, waitlist, offers and onboarding. */
export async function recruitmentModule(
  app: FastifyInstance,
  opts: { db: DB; config: Config; recruitment: RecruitmentService },
) {
  const { recruitment } = opts;
  const secureCookies = opts.config.baseUrl.startsWith('https://');
  app.navItems.push({ href: '/recruitment', text: 'Recruitment', roles: ['national', 'regional-lead'] });
  app.scheduledTasks.push(
    {
      name: 'recruitment.sponsor-reminders',
      everyMinutes: 60,
      run: () => recruitment.sendSponsorReminders(),
    },
    { name: 'recruitment.drafts-housekeeping', everyMinutes: 60, run: () => recruitment.housekeeping() },
    // Lapses offers not accepted by their reply-by date and offers the places to the waitlist.
    { name: 'recruitment.expire-offers', everyMinutes: 60, run: () => recruitment.expireOffers() },
  );
  app.get('/apply/employer-search.js', { config: { access: 'public' } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(EMPLOYER_SEARCH_SCRIPT),
  );
  await applyPages(app, { recruitment, secureCookies });
  await reviewPages(app, { recruitment });
  await recruitmentApi(app, { recruitment });
}
export { recruitmentDataRights } from './recruitment.data-rights.ts';
