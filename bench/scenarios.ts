import { sql } from 'kysely';
import type { DB } from '../src/db/database.ts';
import type { Role } from '../src/platform/permissions.ts';

/**
 * A page or endpoint the load benchmark drives; `as` names the bench account that requests it.
 * A path may hold `{param}` placeholders, filled at start by the PARAMS resolvers from the
 * database (never hard-coded ids); a scenario whose parameter cannot be found is reported as
 * skipped, and the run fails, so a missing page is never mistaken for a fast one.
 */
export type Scenario = {
  name: string;
  path: string;
  as: Role | null;
  api?: boolean;
  /**
   * A budget of the scenario's own instead of the run's (PostgreSQL 100 ms, PGlite 150 ms): its p95
   * at 16 connections, and its p95 as a multiple of the floor's in the same run.
   */
  budget?: { p95Ms: number; vsFloor: number };
};

/** Issue 18: knowledge search at 1,000,000 items, p95 <= 150 ms and within 3x the floor page. */
const SEARCH_BUDGET = { p95Ms: 150, vsFloor: 3 };

/** Bench accounts, one per role; created by bench:data (and by bench:load if missing). */
export const BENCH_PASSWORD = 'bench network passphrase';
export const BENCH_ACCOUNTS: { role: Role; email: string; name: string; region: string | null }[] = [
  { role: 'national', email: 'bench.national@bench.cln.example', name: 'Bench National', region: null },
  { role: 'regional-lead', email: 'bench.lead@bench.cln.example', name: 'Bench Lead', region: 'Q34' },
  {
    role: 'facilitator',
    email: 'bench.facilitator@bench.cln.example',
    name: 'Bench Facilitator',
    region: 'Q34',
  },
  { role: 'member', email: 'bench.member@bench.cln.example', name: 'Bench Member', region: 'Q34' },
  { role: 'mentor', email: 'bench.mentor@bench.cln.example', name: 'Bench Mentor', region: 'Q34' },
  { role: 'policy-maker', email: 'bench.policy@bench.cln.example', name: 'Bench Policy', region: null },
  { role: 'partner', email: 'bench.partner@bench.cln.example', name: 'Bench Partner', region: null },
  { role: 'applicant', email: 'bench.applicant@bench.cln.example', name: 'Bench Applicant', region: 'Q34' },
];

const first = async (q: ReturnType<typeof sql<{ id: number }>>, db: DB) =>
  (await q.execute(db)).rows[0]?.id?.toString() ?? null;

/**
 * How each `{param}` is found in the benchmarked database. Each takes the busiest realistic case
 * the bench accounts may see: an application in the regional lead's region (Q34), a member of
 * Q34 who shares their profile with the network, the set and session of the bench member.
 */
export const PARAMS: Record<string, (db: DB) => Promise<string | null>> = {
  application: (db) =>
    first(
      sql<{ id: number }>`select id from applications where region_code = 'Q34' and status = 'shortlisted'
        order by submitted_at desc limit 1`,
      db,
    ),
  member: (db) =>
    first(
      sql<{ id: number }>`select p.user_id as id from member_profiles p
        where p.region_code = 'Q34' and p.visibility_profile = 'network' and p.erased_at is null
          and cardinality(p.interests) > 0 and exists (select 1 from member_projects x where x.user_id = p.user_id)
        order by p.user_id limit 1`,
      db,
    ),
  set: (db) =>
    first(
      sql<{ id: number }>`select sm.set_id as id from ls_set_members sm join users u on u.id = sm.user_id
        where u.email = 'bench.member@bench.cln.example' order by sm.set_id limit 1`,
      db,
    ).catch(() => null),
  session: (db) =>
    first(
      sql<{ id: number }>`select se.id from ls_sessions se join ls_set_members sm on sm.set_id = se.set_id
        join users u on u.id = sm.user_id where u.email = 'bench.member@bench.cln.example'
        order by se.starts_at limit 1`,
      db,
    ).catch(() => null),
  pair: (db) =>
    first(
      sql<{ id: number }>`select r.id from mentoring_relationships r join users u on u.id = r.mentor_user_id
        where u.email = 'bench.mentor@bench.cln.example' order by r.id limit 1`,
      db,
    ).catch(() => null),
};

/** The placeholders a path uses. */
export function paramsOf(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/**
 * The floor: an NHS.UK layout page that touches no database. Every other scenario's p95 is
 * reported as a ratio to it, measured in the same run.
 */
export const FLOOR: Scenario = { name: 'floor (about page, no database)', path: '/about', as: null };

/** Key pages and endpoints (issue 8). Modules add theirs here as they land. */
export const SCENARIOS: Scenario[] = [
  { name: 'home', path: '/', as: null },
  { name: 'national landing', path: '/national', as: 'national' },
  { name: 'regional lead landing', path: '/regional', as: 'regional-lead' },
  { name: 'facilitator landing', path: '/facilitator', as: 'facilitator' },
  { name: 'member landing', path: '/member', as: 'member' },
  { name: 'mentor landing', path: '/mentor', as: 'mentor' },
  { name: 'policy maker landing', path: '/policy-maker', as: 'policy-maker' },
  { name: 'partner landing', path: '/partner', as: 'partner' },
  { name: 'applicant landing', path: '/applicant', as: 'applicant' },
  // Rollout and recruitment
  { name: 'national dashboard', path: '/programme', as: 'national' },
  { name: 'regional dashboard (Q34)', path: '/programme', as: 'regional-lead' },
  { name: 'recruitment overview (all regions)', path: '/recruitment', as: 'national' },
  { name: 'regional review list (Q34)', path: '/recruitment/regions/Q34', as: 'regional-lead' },
  {
    name: 'review list, search + filters',
    path: '/recruitment/regions/Q34?q=smith&status=submitted&sort=name',
    as: 'regional-lead',
  },
  { name: 'review list, page 20', path: '/recruitment/regions/Q34?page=20', as: 'regional-lead' },
  { name: 'an application', path: '/recruitment/applications/{application}', as: 'regional-lead' },
  // Members
  { name: 'directory', path: '/directory', as: 'member' },
  {
    name: 'directory, search + filters',
    path: '/directory?q=sepsis+pathway&region=Q34&profession=nurse',
    as: 'member',
  },
  { name: 'directory, misspelt name', path: '/directory?name=Jonhson', as: 'member' },
  { name: 'region members (Q34)', path: '/regions/Q34/members', as: 'member' },
  { name: 'a profile', path: '/members/{member}', as: 'member' },
  { name: 'own profile', path: '/profile', as: 'member' },
  // Learning sets, development, mentoring
  { name: 'learning sets hub', path: '/learning-sets', as: 'member' },
  { name: 'a set page', path: '/learning-sets/sets/{set}', as: 'member' },
  { name: 'a session page', path: '/learning-sets/sessions/{session}', as: 'facilitator' },
  { name: 'region sets (Q34)', path: '/learning-sets/regions/Q34', as: 'facilitator' },
  { name: 'development', path: '/development', as: 'member' },
  { name: 'mentoring', path: '/mentoring', as: 'mentor' },
  { name: 'a mentoring pair', path: '/mentoring/pairs/{pair}', as: 'mentor' },
  { name: 'mentoring admin (health, runs)', path: '/mentoring/admin', as: 'national' },
  // Administration
  { name: 'accounts list', path: '/admin/users', as: 'national' },
  { name: 'audit log', path: '/admin/audit', as: 'national' },
  // JSON API equivalents
  { name: 'API: regions', path: '/api/v1/regions', as: null, api: true },
  { name: 'API: dashboard', path: '/api/v1/dashboard', as: 'national', api: true },
  {
    name: 'API: review list (Q34)',
    path: '/api/v1/regions/Q34/applications?status=submitted',
    as: 'regional-lead',
    api: true,
  },
  { name: 'API: an application', path: '/api/v1/applications/{application}', as: 'regional-lead', api: true },
  {
    name: 'API: directory search',
    path: '/api/v1/members?q=sepsis+pathway&region=Q34&profession=nurse',
    as: 'member',
    api: true,
  },
  { name: 'API: a profile', path: '/api/v1/members/{member}', as: 'member', api: true },
  { name: 'API: a set', path: '/api/v1/learning-sets/{set}', as: 'member', api: true },
  { name: 'API: mentoring pairs', path: '/api/v1/mentoring/pairs', as: 'mentor', api: true },
  { name: 'API: users search', path: '/api/v1/users?q=bench', as: 'national', api: true },
  // Knowledge search (issue 18), as a member of Q34 (who reads the network's, the public's and
  // Q34's items and their learning set's): synonyms on both words, facets, a misspelt word (found
  // by typo tolerance after the words as typed find nothing), words the library does not hold (the
  // same correction tried, and nothing found), a later page, the newest items with no words.
  // Data: bench:data --knowledge-items N.
  {
    name: 'knowledge search: A&E frailty',
    path: '/knowledge/search?q=A%26E+frailty',
    as: 'member',
    budget: SEARCH_BUDGET,
  },
  {
    name: 'knowledge search, facets',
    path: '/knowledge/search?q=discharge&kind=case-study&setting=acute&region=Q34&stage=spreading',
    as: 'member',
    budget: SEARCH_BUDGET,
  },
  {
    name: 'knowledge search, misspelt word',
    path: '/knowledge/search?q=sepsis+screenign',
    as: 'member',
    budget: SEARCH_BUDGET,
  },
  {
    name: 'knowledge search, no result',
    path: '/knowledge/search?q=quokka+xylophone',
    as: 'member',
    budget: SEARCH_BUDGET,
  },
  {
    name: 'knowledge search, page 5',
    path: '/knowledge/search?q=heart+failure&page=5',
    as: 'member',
    budget: SEARCH_BUDGET,
  },
  {
    name: 'knowledge search, no words (newest)',
    path: '/knowledge/search',
    as: 'member',
    budget: SEARCH_BUDGET,
  },
  {
    name: 'API: knowledge search',
    path: '/api/v1/knowledge/search?q=A%26E+frailty',
    as: 'member',
    api: true,
    budget: SEARCH_BUDGET,
  },
  // Last: at national scale these aggregate every assessment in the network per request and keep
  // the database busy for minutes after the run (see BENCHMARKS.md), which would spoil the pages after.
  { name: 'competency profiles (Q34)', path: '/development/profiles', as: 'regional-lead' },
  { name: 'API: competency profiles', path: '/api/v1/development/profiles', as: 'regional-lead', api: true },
];
