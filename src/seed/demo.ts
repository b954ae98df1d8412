import type { DB } from '../db/database.ts';
import { recordAudit } from '../platform/audit.ts';
import { ConflictError } from '../platform/errors.ts';
import type { Role, RoleGrant } from '../platform/permissions.ts';
import { hashPassword } from '../platform/security.ts';
import { FIRST_NAMES, LAST_NAMES, pick, seededRandom } from './demo-people.ts';

export const DEMO_DOMAIN = 'demo.cln.example';

export type DemoPerson = { userId: number; email: string; name: string; roles: RoleGrant[] };
export type DemoContext = {
  db: DB;
  people: DemoPerson[];
  random: () => number;
  progress: (msg: string) => void;
};

/**
 * Later modules add their own demo data (applications, profiles, sets...) through steps that run
 * after the accounts exist.
 */
export type DemoStep = { name: string; run(ctx: DemoContext): Promise<void> };

async function countRealPeople(db: DB): Promise<number> {
  const row = await db
    .selectFrom('users')
    .innerJoin('role_assignments as r', 'r.user_id', 'users.id')
    .where('r.role', 'in', ['member', 'applicant', 'mentor'])
    .where('users.email', 'not like', `%@${DEMO_DOMAIN}`)
    .select((eb) => eb.fn.count<number>('users.id').distinct().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Creates a realistic demo network: people in every role across all ten regions. */
export async function seedDemo(
  db: DB,
  opts: {
    password: string;
    force: boolean;
    steps?: DemoStep[];
    progress?: (msg: string) => void;
    membersPerRegion?: number;
  },
): Promise<{ people: DemoPerson[] }> {
  const progress = opts.progress ?? (() => undefined);
  const real = await countRealPeople(db);
  if (real > 0 && !opts.force) {
    throw new ConflictError(
      `This database holds ${real} real member${real === 1 ? '' : 's'} or applicant${real === 1 ? '' : 's'}. ` +
        'Seeding demo data would mix invented people with real ones. Use --force only if you are sure.',
    );
  }
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('email', 'like', `%@${DEMO_DOMAIN}`)
    .limit(1)
    .execute();
  if (existing.length) throw new ConflictError('The demo network is already here (demo accounts exist).');

  const random = seededRandom(20261127);
  const regions = await db.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
  const passwordHash = await hashPassword(opts.password);
  const people: DemoPerson[] = [];
  const usedEmails = new Set<string>();

  const makePerson = async (
    roles: RoleGrant[],
    label: string,
    fixed?: { email: string; name: string },
  ): Promise<DemoPerson> => {
    let name = fixed?.name ?? '';
    let email = fixed?.email ?? '';
    while (!fixed && (!email || usedEmails.has(email))) {
      name = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
      email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${DEMO_DOMAIN}`;
    }
    usedEmails.add(email);
    return db.transaction().execute(async (trx) => {
      const user = await trx
        .insertInto('users')
        .values({ email, name, password_hash: passwordHash })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const g of roles) {
        await trx
          .insertInto('role_assignments')
          .values({ user_id: user.id, role: g.role, region_code: g.regionCode })
          .execute();
      }
      await recordAudit(trx, 'system', {
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        summary: `Demo: created ${label} ${email}`,
      });
      const person = { userId: user.id, email, name, roles };
      people.push(person);
      return person;
    });
  };

  const fixed: { email: string; name: string; roles: RoleGrant[] }[] = [
    {
      email: `national@${DEMO_DOMAIN}`,
      name: 'Nadia National',
      roles: [{ role: 'national', regionCode: null }],
    },
    {
      email: `policy@${DEMO_DOMAIN}`,
      name: 'Peter Policy',
      roles: [{ role: 'policy-maker', regionCode: null }],
    },
    { email: `partner@${DEMO_DOMAIN}`, name: 'Pam Partner', roles: [{ role: 'partner', regionCode: null }] },
    {
      email: `lead.q34@${DEMO_DOMAIN}`,
      name: 'Lena Lead',
      roles: [{ role: 'regional-lead', regionCode: 'Q34' }],
    },
    {
      email: `facilitator.q34@${DEMO_DOMAIN}`,
      name: 'Fred Facilitator',
      roles: [{ role: 'facilitator', regionCode: 'Q34' }],
    },
    { email: `member@${DEMO_DOMAIN}`, name: 'Maya Member', roles: [{ role: 'member', regionCode: 'Q34' }] },
    {
      email: `mentor@${DEMO_DOMAIN}`,
      name: 'Martin Mentor',
      roles: [
        { role: 'member', regionCode: 'Q34' },
        { role: 'mentor', regionCode: 'Q34' },
      ],
    },
    {
      email: `applicant@${DEMO_DOMAIN}`,
      name: 'Alex Applicant',
      roles: [{ role: 'applicant', regionCode: 'Q34' }],
    },
  ];
  for (const f of fixed) await makePerson(f.roles, f.roles[0]!.role, f);
  progress(`created ${fixed.length} named demo accounts`);

  const perRegion = opts.membersPerRegion ?? 12;
  for (const region of regions) {
    const role = (r: Role): RoleGrant => ({ role: r, regionCode: region.code });
    if (region.code !== 'Q34') {
      await makePerson([role('regional-lead')], 'regional lead');
      await makePerson([role('facilitator')], 'facilitator');
    }
    for (let i = 0; i < perRegion; i++) {
      const roles = [role('member')];
      if (i % 5 === 0) roles.push(role('mentor'));
      await makePerson(roles, 'member');
    }
    for (let i = 0; i < 3; i++) await makePerson([role('applicant')], 'applicant');
    progress(`${region.name}: lead, facilitator, ${perRegion} members, 3 applicants`);
  }

  const ctx: DemoContext = { db, people, random, progress };
  for (const step of opts.steps ?? []) {
    progress(`${step.name}...`);
    await step.run(ctx);
  }
  return { people };
}
