import type { Actor } from '../../platform/permissions.ts';
import type { DemoContext, DemoPerson, DemoStep } from '../../seed/demo.ts';
import { findMentoringFacts } from '../members/index.ts';
import { AREA_KEYS } from './mentoring.scoring.ts';
import { createMentoringService } from './mentoring.service.ts';

const GOALS = [
  'Lead a service improvement project across two wards',
  'Prepare for a clinical director role',
  'Build confidence presenting to the trust board',
  'Publish an audit of our discharge pathway',
  'Set up a nurse-led clinic',
  'Bid for innovation funding',
];

const asActor = (p: DemoPerson): Actor => ({ ...p, ip: null, requestId: null });

/** Offers from the demo mentors, requests from some members, and an approved run with a first meeting. */
export const mentoringDemoStep: DemoStep = {
  name: 'mentoring: offers, requests, an approved run and a first meeting',
  async run(ctx: DemoContext) {
    const mentoring = createMentoringService({ db: ctx.db, baseUrl: 'http://127.0.0.1:3000' });
    const facts = await findMentoringFacts(
      ctx.db,
      ctx.people.map((p) => p.userId),
    );
    const withProfile = ctx.people.filter((p) => facts.has(p.userId));
    const pickAreas = (n: number) => [...AREA_KEYS].sort(() => ctx.random() - 0.5).slice(0, n);
    const mentorsList = withProfile.filter((p) => p.roles.some((g) => g.role === 'mentor'));
    for (const m of mentorsList)
      await mentoring.saveOffer(asActor(m), {
        capacity: 1 + Math.floor(ctx.random() * 3),
        areas: pickAreas(4),
        format: (['online', 'in-person', 'either'] as const)[Math.floor(ctx.random() * 3)]!,
        menteeProfessions: [],
        notes: null,
      });
    const mentees = withProfile.filter(
      (p) => p.roles.some((g) => g.role === 'member') && !p.roles.some((g) => g.role === 'mentor'),
    );
    let asked = 0;
    for (const [i, p] of mentees.entries()) {
      if (i % 3 !== 0) continue;
      await mentoring.saveRequest(asActor(p), {
        goals: [GOALS[i % GOALS.length]!, GOALS[(i + 2) % GOALS.length]!].join('\n'),
        goalAreas: pickAreas(2),
        format: 'either',
        mentorProfessions: [],
        sameRegion: ctx.random() < 0.5,
        planGoals: [],
      });
      asked++;
    }
    const national = ctx.people.find((p) => p.roles.some((g) => g.role === 'national'));
    if (!national) return;
    const admin = asActor(national);
    const runId = await mentoring.createRun(admin, null);
    const pairs = await mentoring.approveRun(admin, runId);
    // A first meeting for one pair, so the pages show a working relationship.
    // A first meeting for one pair (the named demo mentor's when they have one), so the pages show
    // a working relationship.
    const ordered = [...mentorsList].sort(
      (a, b) => Number(b.email.startsWith('mentor@')) - Number(a.email.startsWith('mentor@')),
    );
    for (const mentor of ordered) {
      const first = (await mentoring.listMyPairs(asActor(mentor))).find(
        (p) => p.role === 'mentor' && p.status === 'active',
      );
      if (!first) continue;
      await mentoring.saveAgreement(asActor(mentor), first.id, {
        groundRules: 'We keep what is said between us, come prepared and agree the next step each time.',
        meetingFrequency: 'Every four weeks',
        durationMonths: 12,
      });
      await mentoring.logMeeting(asActor(mentor), first.id, {
        metOn: first.startedOn,
        format: 'online',
        notes: 'Introductions; agreed to focus first on the board presentation.',
      });
      break;
    }
    ctx.progress(`${mentorsList.length} offers, ${asked} requests, ${pairs} pairs approved`);
  },
};
