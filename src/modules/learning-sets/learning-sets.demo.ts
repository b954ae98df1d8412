import type { DemoContext, DemoPerson, DemoStep } from '../../seed/demo.ts';
import type { Actor } from '../../platform/permissions.ts';
import { createLearningSetsService } from './learning-sets.service.ts';

const asActor = (p: DemoPerson): Actor => ({ ...p, ip: null, requestId: null });

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Facilitators in every region (the consultancy's senior manager as lead, capacity three sets),
 * then the Q34 cohort formed into sets by the engine and published, with two past sessions
 * (attendance, presenters, actions and their review, notes, a return) and one to come.
 */
export const learningSetsDemoStep: DemoStep = {
  name: 'learning sets: facilitators, sets for the Q34 cohort, sessions and returns',
  async run(ctx: DemoContext) {
    const national = ctx.people.find((p) => p.roles.some((g) => g.role === 'national'));
    if (!national) return;
    const sets = createLearningSetsService({ db: ctx.db, baseUrl: '', solveTimeMs: 500 });
    const lead = asActor(national);
    for (const p of ctx.people) {
      const grant = p.roles.find((g) => g.role === 'facilitator' && g.regionCode);
      if (!grant) continue;
      await sets.saveFacilitator(lead, grant.regionCode!, { email: p.email, maxSets: 3, isLead: true });
    }
    const intake = await ctx.db
      .selectFrom('intakes')
      .select(['id'])
      .where('region_code', '=', 'Q34')
      .orderBy('id')
      .executeTakeFirst();
    if (!intake) return;
    const formationId = await sets.formSets(lead, 'Q34', {
      intakeId: intake.id,
      minSize: 6,
      maxSize: 8,
      setCount: null,
      sizing: 'equal',
      separateOrganisations: true,
      weightProfession: 3,
      weightOrganisation: 2,
      weightSystem: 1,
      weightSpecialty: 2,
      weightSeniority: 1,
      keepApart: '',
      keepTogether: '',
      seed: 1,
    });
    await sets.publishFormation(lead, formationId);
    const { sets: formed } = await sets.describeFormation(lead, formationId);
    const facilitatorPerson = ctx.people.find((p) => p.userId === formed[0]?.facilitator?.userId);
    if (!facilitatorPerson) return;
    const facilitator = asActor(facilitatorPerson);
    const day = 24 * 3600 * 1000;
    for (const set of formed) {
      const dates = [-42, -14, 14].map((d) => isoDate(new Date(Date.now() + d * day)));
      const ids: number[] = [];
      for (const [i, date] of dates.entries()) {
        ids.push(
          await sets.scheduleSession(facilitator, set.id, {
            date,
            startTime: '13:30',
            durationMinutes: 180,
            location: i === 1 ? '' : 'Education Centre, Birmingham',
            onlineUrl: i === 1 ? 'https://meet.nhs.example/cln-set' : '',
          }),
        );
      }
      const members = set.members.map((m) => m.userId);
      for (const [s, sessionId] of ids.slice(0, 2).entries()) {
        await sets.recordAttendance(facilitator, sessionId, {
          entries: members.map((userId, i) => ({
            userId,
            status: (i + s) % 7 === 3 ? 'apologies' : 'present',
            presented: (i + s) % 7 !== 3 && i % 3 === s,
          })),
        });
      }
      const firstActions: number[] = [];
      for (const owner of members.slice(0, 3)) {
        firstActions.push(
          await sets.addAction(facilitator, ids[0]!, {
            ownerUserId: owner,
            description:
              'Talk to the ward manager and the patient panel about the discharge delays, and bring back what they said',
            dueOn: dates[1]!,
          }),
        );
      }
      const outcomes = ['done', 'partly', 'carried-over'] as const;
      for (const [i, actionId] of firstActions.entries()) {
        await sets.reviewAction(facilitator, actionId, {
          sessionId: ids[1]!,
          status: outcomes[i]!,
          note: '',
          newDueOn: null,
        });
      }
      await sets.saveNotes(
        facilitator,
        ids[1]!,
        'Energy was good; two members are finding it hard to question rather than advise.',
      );
      await sets.submitReturn(
        facilitator,
        ids[1]!,
        'Discharge delays and social care links; building a case for a virtual ward; getting time for improvement work.',
      );
    }
    ctx.progress(`formed and published ${formed.length} sets in Q34 with sessions`);
  },
};
