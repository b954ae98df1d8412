import type { DemoStep } from '../../seed/demo.ts';
import { PROFESSIONS, type Profession } from '../../platform/registration.ts';
import { createRecruitmentService } from './recruitment.service.ts';

const DEMO_DOMAIN = 'demo.cln.example';

function demoRegistration(profession: Profession, random: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const letter = () => 'ABCDEFGHJKLMNPRSTUVWXY'[Math.floor(random() * 22)];
  switch (PROFESSIONS.find((p) => p.key === profession)!.register) {
    case 'GMC':
      return `${1 + Math.floor(random() * 9)}${digits(6)}`;
    case 'NMC':
      return `${digits(2)}${letter()}${digits(4)}${letter()}`;
    case 'HCPC':
      return `PH${digits(6)}`;
    case 'GPhC':
      return `2${digits(6)}`;
    default:
      return digits(6);
  }
}

const JOBS = [
  'Consultant physician',
  'Ward manager',
  'Advanced practitioner',
  'Lead pharmacist',
  'Clinical lead',
  'Matron',
];

/**
 * Demo recruitment and programme data: each rollout region's demo members joined through an
 * accepted application, a handful of applications at every stage, and the programme's dates,
 * funding, readiness and consultancy contract.
 */
export const recruitmentDemoStep: DemoStep = {
  name: 'applications and the rollout programme',
  async run(ctx) {
    const { db, random, people } = ctx;
    const recruitment = createRecruitmentService({ db, config: { baseUrl: 'http://localhost:3000' } });
    const anon = { userId: null, label: 'demo', ip: null, requestId: null };
    const regions = await db
      .selectFrom('network_regions')
      .select(['code', 'name', 'phase_key'])
      .orderBy('code')
      .execute();
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    let made = 0;
    for (const region of regions.filter((r) => r.phase_key !== 'pilot')) {
      const trusts = await db
        .selectFrom('organisations')
        .select('ods_code')
        .where('kind', '=', 'trust')
        .where('sha_code', '=', region.code)
        .where('valid_to', 'is', null)
        .execute();
      if (!trusts.length) continue;
      const submit = async (person: { name: string; email: string }) => {
        const [givenName, ...rest] = person.name.split(' ');
        const profession = pick(PROFESSIONS).key;
        return recruitment.submitApplication(
          {
            givenName: givenName!,
            familyName: rest.join(' ') || 'Demo',
            email: person.email,
            phone: undefined,
            profession,
            registrationNumber: demoRegistration(profession, random),
            employerOds: pick(trusts).ods_code!,
            regionCode: region.code,
            jobTitle: pick(JOBS),
            roleSummary:
              'I lead a multidisciplinary team and the service improvement work of my directorate.',
            leadershipExperience:
              'I led the redesign of our discharge pathway, cutting delayed discharges by a third.',
            motivation:
              'To learn from peers across the region and bring clinicians closer to national policy.',
            sponsorName: 'Dr Morgan Medical-Director',
            sponsorEmail: `sponsor.${region.code.toLowerCase()}.${made}@${DEMO_DOMAIN}`,
            consent: true,
          },
          anon,
          'demo',
        );
      };
      // The region's demo members joined through an accepted application.
      for (const person of people.filter((p) =>
        p.roles.some((g) => g.role === 'member' && g.regionCode === region.code),
      )) {
        const created = await submit(person);
        await db.transaction().execute(async (trx) => {
          await recruitment.decideInTransaction(trx, 'system', created.id, { decision: 'offer' });
          await recruitment.acceptInTransaction(trx, created.id, 'system', { welcome: false });
          await trx
            .updateTable('endorsements')
            .set({ status: 'endorsed', responded_at: new Date() })
            .where('application_id', '=', created.id)
            .execute();
        });
        made++;
      }
      // Applicants at every stage of review.
      const applicants = people.filter((p) =>
        p.roles.some((g) => g.role === 'applicant' && g.regionCode === region.code),
      );
      const extra = Array.from({ length: 5 }, (_, i) => ({
        name: `${pick(['Ruth', 'Omar', 'Ffion', 'Kofi', 'Mei', 'Tom'])} ${pick(['Ellis', 'Shah', 'Nowak', 'Reid', 'Okoro'])}`,
        email: `applicant.${region.code.toLowerCase()}.${i}@${DEMO_DOMAIN}`,
      }));
      const ids: number[] = [];
      for (const person of [...applicants, ...extra]) {
        ids.push((await submit(person)).id);
        made++;
      }
      await db.transaction().execute(async (trx) => {
        if (ids[1]) await recruitment.decideInTransaction(trx, 'system', ids[1], { decision: 'shortlist' });
        if (ids[2]) await recruitment.decideInTransaction(trx, 'system', ids[2], { decision: 'offer' });
        if (ids[3]) await recruitment.decideInTransaction(trx, 'system', ids[3], { decision: 'waitlist' });
        if (ids[4])
          await recruitment.decideInTransaction(trx, 'system', ids[4], {
            decision: 'decline',
            reason: 'Not enough leadership experience yet: please apply next year.',
          });
        if (ids[5])
          await trx
            .updateTable('endorsements')
            .set({ status: 'endorsed', comment: 'A natural leader.', responded_at: new Date() })
            .where('application_id', '=', ids[5])
            .execute();
      });

      // The rollout programme of the region.
      const phase1 = region.phase_key === 'phase-1';
      const facilitator = people.find((p) =>
        p.roles.some((g) => g.role === 'facilitator' && g.regionCode === region.code),
      );
      await db
        .updateTable('network_regions')
        .set({
          status: phase1 ? 'recruiting' : 'planning',
          lead_facilitator_user_id: facilitator?.userId ?? null,
          senior_manager_name: `${pick(['Alex', 'Jordan', 'Sam', 'Chris'])} ${pick(['Arden', 'Blake', 'Carver'])} (Arup)`,
          first_event_actual: region.code === 'Q30' ? '2026-11-20' : null,
        })
        .where('code', '=', region.code)
        .execute();
      await db
        .insertInto('funding_allocations')
        .values({
          region_code: region.code,
          amount: phase1 ? 150000 : 100000,
          allocated_on: '2026-09-01',
          received_on: phase1 ? '2026-10-01' : null,
          reference: `DH-CLN-${region.code}`,
        })
        .execute();
      if (phase1) {
        await db
          .insertInto('funding_spend')
          .values([
            {
              region_code: region.code,
              spent_on: '2026-10-15',
              amount: 12500,
              description: 'Launch event venue and catering',
            },
            {
              region_code: region.code,
              spent_on: '2026-11-05',
              amount: 8200,
              description: 'Action learning set facilitation',
            },
          ])
          .execute();
      }
      const done = phase1
        ? ['lead-appointed', 'facilitator-assigned', 'funding-received']
        : ['lead-appointed'];
      await db
        .insertInto('region_readiness')
        .values(done.map((k) => ({ region_code: region.code, item_key: k, completed_on: '2026-10-01' })))
        .execute();
      await db
        .insertInto('contract_lines')
        .values([
          { region_code: region.code, kind: 'training', promised: 4, delivered: phase1 ? 2 : 0 },
          { region_code: region.code, kind: 'action-learning', promised: 12, delivered: phase1 ? 3 : 0 },
          {
            region_code: region.code,
            kind: 'leadership-development',
            promised: 6,
            delivered: phase1 ? 1 : 0,
          },
        ])
        .execute();
      ctx.progress(`${region.name}: applications and programme`);
    }
    ctx.progress(`${made} demo applications`);
  },
};
