import type { DemoStep } from '../../seed/demo.ts';
import { PROFESSIONS } from '../../platform/registration.ts';
import * as repo from './members.repository.ts';
import { createMemberProfile } from './members.service.ts';

const JOB_TITLES: Record<string, string[]> = {
  doctor: [
    'Consultant physician',
    'Consultant in emergency medicine',
    'GP partner',
    'Clinical director',
    'Specialty registrar',
  ],
  nurse: [
    'Nurse consultant',
    'Ward sister',
    'Advanced nurse practitioner',
    'Matron',
    'Clinical nurse specialist',
  ],
  midwife: ['Consultant midwife', 'Community midwife', 'Labour ward coordinator'],
  'allied-health-professional': [
    'Consultant physiotherapist',
    'Advanced paramedic',
    'Lead occupational therapist',
  ],
  pharmacist: [
    'Consultant pharmacist',
    'Lead pharmacist, medicines optimisation',
    'Primary care network pharmacist',
  ],
  'pharmacy-technician': ['Senior pharmacy technician', 'Medicines management technician'],
  dentist: ['Consultant in restorative dentistry', 'General dental practitioner'],
  'dental-care-professional': ['Dental therapist', 'Senior dental nurse'],
};
const INTERESTS = [
  'sepsis',
  'virtual wards',
  'frailty',
  'patient safety',
  'quality improvement',
  'digital health',
  'health inequalities',
  'workforce wellbeing',
  'end of life care',
  'mental health',
  'diabetes',
  'urgent and emergency care',
  'medicines safety',
  'population health',
  'research',
  'education',
];
const LEADERSHIP = [
  'clinical director',
  'clinical lead',
  'guardian of safe working',
  'caldicott guardian',
  'network chair',
  'board member',
];
const PROJECTS = [
  {
    title: 'Virtual ward for frail older people',
    summary: 'Hospital-level care at home with remote monitoring and daily reviews.',
    stage: 'scaling',
  },
  {
    title: 'Sepsis screening in the emergency department',
    summary: 'A screening tool and bundle that halved time to antibiotics.',
    stage: 'established',
  },
  {
    title: 'Medicines reconciliation app',
    summary: 'A small app that checks discharge medicines against the GP record.',
    stage: 'pilot',
  },
  {
    title: 'Peer support for night staff',
    summary: 'Structured peer support and rest spaces for staff working nights.',
    stage: 'idea',
  },
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function registrationFor(register: string, random: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const letter = () => 'ABCDEFGHJKLMNPRSTUVWXYZ'[Math.floor(random() * 23)]!;
  switch (register) {
    case 'GMC':
      return `${1 + Math.floor(random() * 8)}${digits(6)}`;
    case 'NMC':
      return `${digits(2)}${letter()}${digits(4)}${letter()}`;
    case 'HCPC':
      return `PH${digits(6)}`;
    case 'GPhC':
      return `2${digits(6)}`;
    default:
      return digits(5);
  }
}

/** Profiles for every demo member: profession, registration, employer in their region, interests, projects. */
export const membersDemoStep: DemoStep = {
  name: 'member profiles',
  async run(ctx) {
    const { db, random } = ctx;
    let made = 0;
    for (const person of ctx.people) {
      const grant = person.roles.find((g) => g.role === 'member' && g.regionCode);
      if (!grant) continue;
      const region = grant.regionCode!;
      const trusts = await db
        .selectFrom('organisations')
        .select(['id'])
        .where('kind', '=', 'trust')
        .where('sha_code', '=', region)
        .where('valid_to', 'is', null)
        .orderBy('id')
        .execute();
      const intake = await db
        .selectFrom('intakes')
        .select('id')
        .where('region_code', '=', region)
        .orderBy('id')
        .executeTakeFirst();
      const profession = pick(random, PROFESSIONS);
      const organisationId = trusts.length ? pick(random, trusts).id : null;
      const jobTitle = pick(random, JOB_TITLES[profession.key]!);
      await db.transaction().execute(async (trx) => {
        // Members recruited by the recruitment step already have the profile their application
        // made; the others are created here, by the same function.
        const joined = await repo.findProfile(trx, person.userId);
        if (!joined)
          await createMemberProfile(
            trx,
            {
              userId: person.userId,
              regionCode: region,
              intakeId: intake?.id ?? null,
              profession: profession.key,
              registrationNumber: registrationFor(profession.register, random),
              organisationId,
              jobTitle,
            },
            'system',
          );
        const specialties = await repo.listSpecialties(trx, joined?.profession ?? profession.key);
        const interests = [
          ...new Set([pick(random, INTERESTS), pick(random, INTERESTS), pick(random, INTERESTS)]),
        ];
        const project = random() < 0.4 ? pick(random, PROJECTS) : null;
        await repo.updateProfile(trx, person.userId, {
          specialty_id: specialties.length ? pick(random, specialties).id : null,
          interests,
          expertise: [pick(random, INTERESTS)],
          leadership_roles: random() < 0.5 ? [pick(random, LEADERSHIP)] : [],
          biography:
            `${joined?.job_title ?? jobTitle} with a particular interest in ${interests[0]}.\n\n` +
            `I joined the Clinical Leaders Network to learn from peers and to help **${interests[1] ?? interests[0]}** work spread across the region.`,
          contact_email: person.email,
          visibility_contact: random() < 0.3 ? 'staff' : 'region',
          visibility_profile: random() < 0.15 ? 'region' : 'network',
        });
        if (project) await repo.insertProject(trx, { userId: person.userId, ...project });
        await repo.refreshSearchVectors(trx, [person.userId]);
      });
      made++;
    }
    ctx.progress(`created ${made} member profiles`);
  },
};
