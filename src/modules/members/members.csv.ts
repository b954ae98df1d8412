import {
  ensureMemberAccountInTransaction,
  sendInvitationInTransaction,
} from '../../platform/accounts/accounts.service.ts';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { type Actor, isNational } from '../../platform/permissions.ts';
import {
  checkRegistrationNumber,
  normaliseRegistrationNumber,
  type Profession,
  PROFESSION_KEYS,
  registerForProfession,
} from '../../platform/registration.ts';
import { emailField, nameField } from '../../platform/schemas.ts';
import * as repo from './members.repository.ts';
import { type DirectoryQuery, STATUSES } from './members.schemas.ts';
import { createMemberProfile, type MembersService, professionLabel } from './members.service.ts';

export const IMPORT_COLUMNS = [
  { name: 'email', required: true, hint: 'the member’s work email address (their sign-in name)' },
  { name: 'name', required: true, hint: 'full name' },
  { name: 'region', required: true, hint: 'region code, Q30 to Q39' },
  { name: 'profession', required: true, hint: PROFESSION_KEYS.join(', ') },
  { name: 'registration_number', required: false, hint: 'GMC, NMC, HCPC, GPhC or GDC number' },
  { name: 'ods_code', required: false, hint: 'employer’s ODS code, like RRK' },
  { name: 'job_title', required: false, hint: '' },
  { name: 'intake', required: false, hint: 'name of the region’s intake, like 2026/27' },
  { name: 'specialty', required: false, hint: 'a specialty from the list for the profession' },
  { name: 'interests', required: false, hint: 'separated by semicolons' },
  { name: 'expertise', required: false, hint: 'separated by semicolons' },
  { name: 'status', required: false, hint: STATUSES.join(', ') },
] as const;
const KNOWN = new Set<string>(IMPORT_COLUMNS.map((c) => c.name));
const REQUIRED = IMPORT_COLUMNS.filter((c) => c.required).map((c) => c.name);
const MAX_ROWS = 20_000;

export type BadRow = { line: number; reasons: string[] };
export type ImportReport = {
  problem?: string;
  rows: number;
  imported: number;
  dryRun: boolean;
  badRows: BadRow[];
};

type ValidRow = {
  email: string;
  name: string;
  region: string;
  profession: Profession;
  registrationNumber: string | null;
  organisationId: number | null;
  jobTitle: string | null;
  intakeId: number | null;
  specialtyId: number | null;
  interests: string[];
  expertise: string[];
  status: (typeof STATUSES)[number];
};

/** Text in UTF-8 (with or without a byte-order mark), or a message saying how to fix the file. */
export function decodeCsv(buffer: Buffer): { text: string } | { problem: string } {
  if (
    buffer.length >= 2 &&
    ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff))
  )
    return { problem: 'The file is in UTF-16. Save it as "CSV UTF-8 (comma delimited)" and try again.' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return { text: text.replace(/^\uFEFF/, '') };
  } catch {
    return {
      problem:
        'The file is not UTF-8 text (it may be in Windows-1252 or be a spreadsheet rather than a CSV file). ' +
        'Save it as "CSV UTF-8 (comma delimited)" and try again.',
    };
  }
}

const tags = (v: string | undefined) => [
  ...new Set(
    (v ?? '')
      .split(';')
      .map((t) => t.trim().toLowerCase().replace(/\s+/g, ' '))
      .filter(Boolean),
  ),
];

/**
 * Imports members from CSV: every row is checked first and every bad row named (line number and
 * reasons); only when all rows are good, and not a dry run, are they all written in one
 * transaction. A regional lead may import only into their own region.
 */
export async function importMembersCsv(
  db: DB,
  file: Buffer,
  opts: {
    actor: Actor | 'system';
    dryRun: boolean;
    /** The site's address, for the invitation links emailed to imported members. */
    baseUrl: string;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ImportReport> {
  const report: ImportReport = { rows: 0, imported: 0, dryRun: opts.dryRun, badRows: [] };
  const decoded = decodeCsv(file);
  if ('problem' in decoded) return { ...report, problem: decoded.problem };
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let header: string[] = [];
  try {
    records = parse(decoded.text, {
      columns: (h: string[]) => {
        header = h.map((c) => c.trim().toLowerCase());
        return header;
      },
      skip_empty_lines: true,
      trim: true,
      info: true,
      max_record_size: 20_000,
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (err) {
    return { ...report, problem: `The file is not a valid CSV file: ${(err as Error).message}` };
  }
  const unknown = header.filter((h) => !KNOWN.has(h));
  const missing = REQUIRED.filter((r) => !header.includes(r));
  if (unknown.length || missing.length) {
    return {
      ...report,
      problem: [
        missing.length ? `Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.` : '',
        unknown.length ? `Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.` : '',
        `The columns are: ${IMPORT_COLUMNS.map((c) => c.name).join(', ')}.`,
      ]
        .filter(Boolean)
        .join(' '),
    };
  }
  if (records.length === 0) return { ...report, problem: 'The file has no rows under its header.' };
  if (records.length > MAX_ROWS)
    return { ...report, problem: `The file has more than ${MAX_ROWS} rows: split it.` };
  report.rows = records.length;

  const regions = new Set((await repo.listRegions(db)).map((r) => r.code));
  const specialties = await repo.listSpecialties(db);
  const allowedRegions =
    opts.actor === 'system' || isNational(opts.actor)
      ? null
      : opts.actor.roles.filter((g) => g.role === 'regional-lead' && g.regionCode).map((g) => g.regionCode!);
  const seen = new Map<string, number>();
  const valid: ValidRow[] = [];
  const orgCache = new Map<string, number | null>();

  for (const [index, { record: r, info }] of records.entries()) {
    const line = info.lines;
    const reasons: string[] = [];
    const email = emailField.safeParse(r.email ?? '');
    if (!email.success) reasons.push(`email: ${email.error.issues[0]!.message}`);
    else if (seen.has(email.data))
      reasons.push(`email: ${email.data} is also on line ${seen.get(email.data)}`);
    else seen.set(email.data, line);
    const name = nameField.safeParse(r.name ?? '');
    if (!name.success) reasons.push(`name: ${name.error.issues[0]!.message}`);
    const region = (r.region ?? '').toUpperCase();
    if (!regions.has(region)) reasons.push(`region: "${r.region ?? ''}" is not a region code (Q30 to Q39)`);
    else if (allowedRegions && !allowedRegions.includes(region))
      reasons.push(
        `region: you can import members only into ${allowedRegions.join(', ') || 'your own region'}`,
      );
    const profession = (r.profession ?? '').toLowerCase();
    const professionOk = (PROFESSION_KEYS as string[]).includes(profession);
    if (!professionOk)
      reasons.push(`profession: "${r.profession ?? ''}" is not one of ${PROFESSION_KEYS.join(', ')}`);
    let registrationNumber: string | null = null;
    if (r.registration_number) {
      if (professionOk) {
        const message = checkRegistrationNumber(
          registerForProfession(profession as Profession),
          r.registration_number,
        );
        if (message) reasons.push(`registration_number: ${message}`);
        else registrationNumber = normaliseRegistrationNumber(r.registration_number);
      }
    }
    let organisationId: number | null = null;
    if (r.ods_code) {
      const ods = r.ods_code.toUpperCase();
      if (!orgCache.has(ods)) orgCache.set(ods, (await repo.findOrganisationByOds(db, ods))?.id ?? null);
      organisationId = orgCache.get(ods) ?? null;
      if (organisationId === null) reasons.push(`ods_code: no NHS organisation has the ODS code ${ods}`);
    }
    const jobTitle = r.job_title ? r.job_title.slice(0, 200) : null;
    if (jobTitle && (jobTitle.length > 120 || /[<>]/.test(jobTitle)))
      reasons.push('job_title: must be 120 characters or fewer, without < or >');
    let intakeId: number | null = null;
    if (r.intake && regions.has(region)) {
      intakeId = (await repo.findIntakeByName(db, region, r.intake))?.id ?? null;
      if (intakeId === null) reasons.push(`intake: ${region} has no intake called "${r.intake}"`);
    }
    let specialtyId: number | null = null;
    if (r.specialty && professionOk) {
      specialtyId =
        specialties.find(
          (s) => s.profession === profession && s.name.toLowerCase() === r.specialty!.toLowerCase(),
        )?.id ?? null;
      if (specialtyId === null)
        reasons.push(`specialty: "${r.specialty}" is not on the list for ${professionLabel(profession)}`);
    }
    const status = (r.status || 'active').toLowerCase();
    if (!(STATUSES as readonly string[]).includes(status))
      reasons.push(`status: "${r.status}" is not one of ${STATUSES.join(', ')}`);
    const interests = tags(r.interests);
    const expertise = tags(r.expertise);
    if (
      interests.length > 20 ||
      expertise.length > 20 ||
      [...interests, ...expertise].some((t) => t.length > 60 || /[<>]/.test(t))
    )
      reasons.push('interests/expertise: up to 20 tags of 60 characters each, without < or >');

    if (reasons.length) report.badRows.push({ line, reasons });
    else
      valid.push({
        email: email.data!,
        name: name.data!,
        region,
        profession: profession as Profession,
        registrationNumber,
        organisationId,
        jobTitle,
        intakeId,
        specialtyId,
        interests,
        expertise,
        status: status as ValidRow['status'],
      });
    opts.onProgress?.(index + 1, records.length * 2);
  }

  // Accounts that already exist are bad rows too: checked in one query.
  const emails = valid.map((v) => v.email);
  if (emails.length) {
    const existing = await db.selectFrom('users').select('email').where('email', 'in', emails).execute();
    for (const e of existing) {
      report.badRows.push({
        line: seen.get(e.email)!,
        reasons: [`email: an account with ${e.email} already exists`],
      });
    }
    report.badRows.sort((a, b) => a.line - b.line);
  }
  if (report.badRows.length || opts.dryRun) return report;

  await db.transaction().execute(async (trx) => {
    const ids: number[] = [];
    for (const [i, v] of valid.entries()) {
      // The one path into the network: accounts make the account and the role, members the profile.
      const { user } = await ensureMemberAccountInTransaction(
        trx,
        { email: v.email, name: v.name, regionCode: v.region, reason: 'from a members CSV file' },
        opts.actor,
      );
      ids.push(user.id);
      await createMemberProfile(
        trx,
        {
          userId: user.id,
          name: v.name,
          profession: v.profession,
          registrationNumber: v.registrationNumber,
          organisationId: v.organisationId,
          jobTitle: v.jobTitle,
          regionCode: v.region,
          intakeId: v.intakeId,
          specialtyId: v.specialtyId,
          interests: v.interests,
          expertise: v.expertise,
          status: v.status,
        },
        opts.actor,
      );
      await sendInvitationInTransaction(
        trx,
        opts.baseUrl,
        { userId: user.id, email: v.email, name: v.name },
        'You have been added to the Clinical Leaders Network as a member. After setting your password, check your profile and choose who may see each part of it.',
      );
      await recordAudit(trx, opts.actor, {
        action: 'member.import',
        entityType: 'member',
        entityId: user.id,
        summary: `Imported member #${user.id} into ${v.region} from a CSV file`,
      });
      opts.onProgress?.(records.length + i + 1, records.length * 2);
    }
    await recordAudit(trx, opts.actor, {
      action: 'member.import.file',
      entityType: 'member',
      summary: `Imported ${ids.length} members from a CSV file`,
      details: { count: ids.length },
    });
    report.imported = ids.length;
  });
  return report;
}

/** A spreadsheet must never run a cell as a formula. */
function safeCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('; ') : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export const EXPORT_COLUMNS = [
  'id',
  'name',
  'job_title',
  'organisation',
  'ods_code',
  'region',
  'status',
  'joined_on',
  'profession',
  'specialty',
  'registration_number',
  'registration_verified',
  'contact_email',
  'contact_phone',
  'interests',
  'expertise',
  'leadership_roles',
];

/**
 * The directory as CSV, scoped by role (a regional lead or facilitator exports their own region;
 * others export what their directory shows) and honouring each member's privacy choices. Audited.
 */
export async function exportDirectoryCsv(
  db: DB,
  members: MembersService,
  actor: Actor | 'system',
  query: DirectoryQuery,
): Promise<string> {
  const q = { ...query, page: 1 };
  if (actor !== 'system' && !isNational(actor)) {
    const staffRegions = actor.roles
      .filter((g) => (g.role === 'regional-lead' || g.role === 'facilitator') && g.regionCode)
      .map((g) => g.regionCode!);
    const isMember = actor.roles.some(
      (g) => g.role === 'member' || g.role === 'mentor' || g.role === 'policy-maker',
    );
    if (staffRegions.length && !isMember) {
      // Say why, rather than a file with no rows that looks like an empty region.
      if (q.region && !staffRegions.includes(q.region))
        throw new ForbiddenError(
          `You can export the members of ${staffRegions.join(', ')} only: your role is not in ${q.region}. Choose your own region, or ask the national team.`,
        );
      if (!q.region && staffRegions.length === 1) q.region = staffRegions[0];
    }
  }
  const out: string[][] = [];
  const pageSize = 500;
  for (let page = 1; page <= 1000; page++) {
    const { rows } = await members.searchDirectory(actor, { ...q, page }, pageSize);
    for (const r of rows) {
      out.push(
        [
          r.user_id,
          r.name,
          r.job_title,
          r.organisation_name,
          r.organisation_ods,
          r.region_code,
          r.status,
          r.joined_on,
          r.profession,
          r.specialty_name,
          r.registration_number,
          r.registration_verified === null ? '' : r.registration_verified ? 'yes' : 'no',
          r.contact_email,
          r.contact_phone,
          r.interests,
          r.expertise,
          r.leadership_roles,
        ].map(safeCell),
      );
    }
    if (rows.length < pageSize) break;
  }
  await recordAudit(db, actor, {
    action: 'member.export',
    entityType: 'member',
    summary: `Exported ${out.length} members to CSV`,
    details: {
      filters: Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)),
      count: out.length,
    },
  });
  return stringify([EXPORT_COLUMNS, ...out]);
}

/** The CSV import and export bound to the app's database, for the pages and API (which never hold it). */
export function createMembersCsv(db: DB, members: MembersService) {
  return {
    importMembers: (file: Buffer, opts: Parameters<typeof importMembersCsv>[2]) =>
      importMembersCsv(db, file, opts),
    exportDirectory: (actor: Actor, query: DirectoryQuery) => exportDirectoryCsv(db, members, actor, query),
  };
}
export type MembersCsv = ReturnType<typeof createMembersCsv>;
