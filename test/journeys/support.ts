import { createMemberProfile } from '../../src/modules/members/index.ts';
import type { RoleGrant } from '../../src/platform/permissions.ts';
import { Agent, createUser, TEST_PASSWORD, type TestContext, visibleText } from '../app.ts';

/** What the cross-module journeys share: emailed links, sign-in, redirects and members already recruited. */

export const PROFESSIONS = ['doctor', 'nurse', 'pharmacist', 'midwife', 'allied-health-professional'];

/** The paths of every link of this kind emailed to this address, newest first. */
export async function emailedLinks(
  ctx: Pick<TestContext, 'db'>,
  to: string,
  path: string,
): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', to.toLowerCase())
    .orderBy('id', 'desc')
    .execute();
  const out: string[] = [];
  for (const r of rows) {
    const m = new RegExp(`https?://[^/\\s]+(/${path}/[A-Za-z0-9_-]+)`).exec(r.body_text);
    if (m) out.push(m[1]!);
  }
  if (!out.length) throw new Error(`no ${path} link emailed to ${to}`);
  return out;
}

/** The path of the last link of this kind emailed to this address. */
export async function emailedLink(ctx: Pick<TestContext, 'db'>, to: string, path: string): Promise<string> {
  return (await emailedLinks(ctx, to, path))[0]!;
}

export async function signedIn(ctx: TestContext, email: string, password = TEST_PASSWORD): Promise<Agent> {
  const agent = new Agent(ctx.app);
  await agent.signIn(email, password);
  return agent;
}

/** The redirect of a form that succeeded (303); anything else fails with the page's text. */
export function location(res: {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
}): string {
  if (res.statusCode !== 303)
    throw new Error(`expected 303, got ${res.statusCode}: ${visibleText(res.body)}`);
  return String(res.headers.location);
}

/** Trusts in the former SHA area of a region, to spread a cohort over. */
export async function trustsOf(ctx: TestContext, regionCode: string, limit = 5): Promise<number[]> {
  const rows = await ctx.db
    .selectFrom('organisations')
    .select('id')
    .where('kind', '=', 'trust')
    .where('sha_code', '=', regionCode)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function organisationIdOf(ctx: TestContext, ods: string): Promise<number> {
  return (
    await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', ods)
      .executeTakeFirstOrThrow()
  ).id;
}

/** A member recruited earlier (imported through the members service), optionally also a mentor. */
export async function addMember(
  ctx: TestContext,
  m: {
    regionCode: string;
    name: string;
    profession: string;
    organisationId: number;
    jobTitle: string;
    intakeId?: number;
    mentor?: boolean;
  },
) {
  const roles: RoleGrant[] = [{ role: 'member', regionCode: m.regionCode }];
  if (m.mentor) roles.push({ role: 'mentor', regionCode: m.regionCode });
  const user = await createUser(ctx, roles, { name: m.name });
  await ctx.db.transaction().execute((trx) =>
    createMemberProfile(
      trx,
      {
        userId: user.id,
        regionCode: m.regionCode,
        ...(m.intakeId === undefined ? {} : { intakeId: m.intakeId }),
        profession: m.profession,
        registrationNumber: null,
        organisationId: m.organisationId,
        jobTitle: m.jobTitle,
      },
      'system',
    ),
  );
  return user;
}

/** The rest of an intake: `count` members spread over the region's trusts and the professions. */
export async function addCohort(ctx: TestContext, regionCode: string, intakeId: number, count: number) {
  const trusts = await trustsOf(ctx, regionCode);
  for (let i = 0; i < count; i++)
    await addMember(ctx, {
      regionCode,
      intakeId,
      name: `Cohort Member ${i}`,
      profession: PROFESSIONS[i % PROFESSIONS.length]!,
      organisationId: trusts[i % trusts.length]!,
      jobTitle: 'Consultant',
    });
}

/**
 * The set-formation form as a regional lead fills it in: sets of 4 to 8 in as many sets as fit,
 * sizes allowed to vary, the page's default weights; `over` changes any field.
 */
export function formationForm(intakeId: number, over: Record<string, string> = {}): Record<string, string> {
  return {
    intakeId: String(intakeId),
    minSize: '4',
    maxSize: '8',
    setCount: '',
    sizing: 'vary',
    weightProfession: '3',
    weightOrganisation: '2',
    weightSystem: '1',
    weightSpecialty: '2',
    weightSeniority: '1',
    keepApart: '',
    keepTogether: '',
    seed: '1',
    ...over,
  };
}
