import type { Role } from '../src/platform/permissions.ts';

/** A page or endpoint the load benchmark drives; `as` names the bench account that requests it. */
export type Scenario = { name: string; path: string; as: Role | null; api?: boolean };

/** Bench accounts, one per role; created by bench/load.ts (and bench:data) if missing. */
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

/**
 * The floor: an NHS.UK layout page that touches no database. Every other scenario's p95 is
 * reported as a ratio to it, measured in the same run.
 */
export const FLOOR: Scenario = { name: 'floor (about page, no database)', path: '/about', as: null };

/** Key pages and endpoints. Modules add theirs here as they land. */
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
  { name: 'accounts list', path: '/admin/users', as: 'national' },
  { name: 'audit log', path: '/admin/audit', as: 'national' },
  { name: 'mentoring', path: '/mentoring', as: 'mentor' },
  { name: 'mentoring admin (health, runs)', path: '/mentoring/admin', as: 'national' },
  { name: 'API: regions', path: '/api/v1/regions', as: null, api: true },
  { name: 'API: users search', path: '/api/v1/users?q=bench', as: 'national', api: true },
];
