import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ValidationError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import {
  checkRegistrationNumber,
  normaliseRegistrationNumber,
  PROFESSION_KEYS,
  registerForProfession,
  type Profession,
} from '../../platform/registration.ts';
import { emailField, regionCodeField } from '../../platform/schemas.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { importedAcknowledgementLetter } from './recruitment.emails.ts';
import { joinNetworkInTransaction } from './recruitment.joining.ts';
import * as repo from './recruitment.repository.ts';
import { LIMITS, odsCodeField } from './recruitment.schemas.ts';
import { checkOneLiveApplication, newReference } from './recruitment.applications.ts';

export const IMPORT_COLUMNS = [
  'given_name',
  'family_name',
  'email',
  'phone',
  'profession',
  'registration_number',
  'employer_ods_code',
  'region_code',
  'job_title',
  'role_summary',
  'leadership_experience',
  'motivation',
  'sponsor_name',
  'sponsor_email',
  'status',
] as const;

const name = (label: string) =>
  z
    .string()
    .trim()
    .min(1, `${label} is missing`)
    .max(60, `${label} must be 60 characters or fewer`)
    .refine((v) => !/[<>]/.test(v), `${label} must not contain < or >`);
const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => v || undefined);

const importRow = z.object({
  given_name: name('given_name'),
  family_name: name('family_name'),
  email: emailField,
  phone: optionalText('phone', 20),
  profession: z.enum(PROFESSION_KEYS, { error: `profession must be one of ${PROFESSION_KEYS.join(', ')}` }),
  registration_number: z.string().trim().min(1, 'registration_number is missing').max(20),
  employer_ods_code: odsCodeField,
  region_code: z.preprocess((v) => (v === '' ? undefined : v), regionCodeField.optional()),
  job_title: z
    .string()
    .trim()
    .min(1, 'job_title is missing')
    .max(120, 'job_title must be 120 characters or fewer'),
  role_summary: optionalText('role_summary', LIMITS.roleSummary),
  leadership_experience: optionalText('leadership_experience', LIMITS.leadershipExperience),
  motivation: optionalText('motivation', LIMITS.motivation),
  sponsor_name: optionalText('sponsor_name', 120),
  sponsor_email: z.preprocess((v) => (v === '' ? undefined : v), emailField.optional()),
  status: z.preprocess(
    (v) => (v === '' || v === undefined ? 'applicant' : v),
    z.enum(['applicant', 'member'], { error: 'status must be applicant or member' }),
  ),
});

export type ImportReport = {
  rows: number;
  applicants: number;
  members: number;
  errors: { line: number; message: string }[];
  imported: boolean;
};

/**
 * Brings in existing applicants and members from CSV, all or nothing: every row is checked first
 * (format, register, employer, region, duplicates in the file and in the intake), and nothing is
 * written unless every row is valid. Members get an account and an invitation to set a password.
 */
export async function importApplicationsCsv(
  db: DB,
  baseUrl: string,
  text: string,
  opts: { dryRun: boolean; progress?: (done: number, total: number) => void },
): Promise<ImportReport> {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  const errors: ImportReport['errors'] = [];
  try {
    records = parse(text, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
    }) as typeof records;
  } catch (err) {
    return {
      rows: 0,
      applicants: 0,
      members: 0,
      imported: false,
      errors: [{ line: (err as { lines?: number }).lines ?? 1, message: (err as Error).message }],
    };
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = IMPORT_COLUMNS.filter(
    (c) =>
      ![
        'phone',
        'region_code',
        'role_summary',
        'leadership_experience',
        'motivation',
        'sponsor_name',
        'sponsor_email',
        'status',
      ].includes(c) && !header.includes(c),
  );
  if (records.length && missing.length) {
    return {
      rows: records.length,
      applicants: 0,
      members: 0,
      imported: false,
      errors: [{ line: 1, message: `missing columns: ${missing.join(', ')}` }],
    };
  }
  type Valid = {
    line: number;
    row: z.output<typeof importRow>;
    register: string;
    number: string;
    employer: NonNullable<Awaited<ReturnType<typeof repo.findOpenEmployerByOds>>>;
    intakeId: number;
    regionCode: string;
  };
  const valid: Valid[] = [];
  const seen = new Map<string, number>();
  const trusts = new Map<string, Awaited<ReturnType<typeof repo.findOpenEmployerByOds>>>();
  const intakes = new Map<string, Awaited<ReturnType<typeof repo.findOpenIntake>>>();
  for (const [i, { record, info }] of records.entries()) {
    const line = info.lines;
    const parsed = importRow.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({ line, message: `${issue.path.join('.') || 'row'}: ${issue.message}` });
      continue;
    }
    const row = parsed.data;
    const register = registerForProfession(row.profession as Profession);
    const problem = checkRegistrationNumber(register, row.registration_number);
    if (problem) errors.push({ line, message: `registration_number: ${problem}` });
    if (!trusts.has(row.employer_ods_code))
      trusts.set(row.employer_ods_code, await repo.findOpenEmployerByOds(db, row.employer_ods_code));
    const employer = trusts.get(row.employer_ods_code);
    if (!employer) {
      errors.push({
        line,
        message: `employer_ods_code: there is no open NHS trust with the ODS code ${row.employer_ods_code}`,
      });
      continue;
    }
    const regionCode = row.region_code ?? employer.sha_code;
    if (!regionCode) {
      errors.push({ line, message: 'region_code: give the region, the employer has none on record' });
      continue;
    }
    if (!intakes.has(regionCode)) intakes.set(regionCode, await repo.findOpenIntake(db, regionCode));
    const intake = intakes.get(regionCode);
    if (!intake) {
      errors.push({ line, message: `region_code: ${regionCode} has no open intake` });
      continue;
    }
    const number = normaliseRegistrationNumber(row.registration_number);
    // One live application per person across the network: duplicates within the file are refused
    // whatever their regions, as are people with a live application or a current membership.
    for (const key of [`email:${row.email}`, `reg:${register}:${number}`]) {
      const earlier = seen.get(key);
      if (earlier)
        errors.push({
          line,
          message: `duplicate of line ${earlier} (${key.startsWith('email') ? 'same email' : `same ${register} number`}): one application per person`,
        });
      else seen.set(key, line);
    }
    try {
      await checkOneLiveApplication(db, row.email, register, number, intake.id);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const e of err.errors)
        errors.push({
          line,
          message: `${e.field === 'email' ? 'email' : 'registration_number'}: ${e.message}`,
        });
    }
    if (!problem) valid.push({ line, row, register, number, employer, intakeId: intake.id, regionCode });
    opts.progress?.(i + 1, records.length * 2);
  }
  const report: ImportReport = {
    rows: records.length,
    applicants: valid.filter((v) => v.row.status === 'applicant').length,
    members: valid.filter((v) => v.row.status === 'member').length,
    errors,
    imported: false,
  };
  if (errors.length || opts.dryRun || records.length === 0) return report;

  try {
    await importAll();
  } catch (err) {
    // Someone applied (or another import ran) between the checks and the writes: nothing is saved.
    if ((err as { code?: string }).code !== '23505') throw err;
    report.errors.push({
      line: 1,
      message:
        'an application for one of these people was made while the file was being imported; nothing was imported, run it again to see which line',
    });
    return report;
  }
  report.imported = true;
  return report;

  async function importAll() {
    await db.transaction().execute(async (trx) => {
      for (const [i, v] of valid.entries()) {
        await importOne(trx, baseUrl, v);
        opts.progress?.(records.length + i + 1, records.length * 2);
      }
      await recordAudit(trx, 'system', {
        action: 'application.import',
        entityType: 'application',
        summary: `Imported ${report.applicants} applicants and ${report.members} members from CSV`,
        details: { rows: records.length },
      });
    });
  }
}

async function importOne(
  trx: Executor,
  baseUrl: string,
  v: {
    row: z.output<typeof importRow>;
    register: string;
    number: string;
    employer: { id: number; ods_code: string | null; name: string };
    intakeId: number;
    regionCode: string;
  },
) {
  const r = v.row;
  const statusToken = createToken();
  const member = r.status === 'member';
  const fullName = `${r.given_name} ${r.family_name}`;
  const reference = newReference();
  let userId: number | undefined;
  if (member) {
    // The same path as accepting an offer: account and Member role, then the full profile.
    const joined = await joinNetworkInTransaction(
      trx,
      {
        reference,
        email: r.email,
        givenName: r.given_name,
        familyName: r.family_name,
        regionCode: v.regionCode,
        intakeId: v.intakeId,
        profession: r.profession,
        registrationNumber: v.number,
        employerOrganisationId: v.employer.id,
        jobTitle: r.job_title,
      },
      'system',
      {
        baseUrl,
        welcome: {
          invite: 'Your membership of the Clinical Leaders Network has been moved to the new platform.',
          signIn: 'Your membership of the Clinical Leaders Network has been moved to the new platform.',
        },
      },
    );
    userId = joined.userId;
  }
  const app = await repo.insertApplication(trx, {
    reference,
    intake_id: v.intakeId,
    region_code: v.regionCode,
    given_name: r.given_name,
    family_name: r.family_name,
    email: r.email,
    phone: r.phone ?? null,
    profession: r.profession,
    register: v.register,
    registration_number: v.number,
    employer_organisation_id: v.employer.id,
    employer_ods_code: v.employer.ods_code!,
    employer_name: v.employer.name,
    job_title: r.job_title,
    role_summary: r.role_summary ?? 'Not recorded (imported)',
    leadership_experience: r.leadership_experience ?? 'Not recorded (imported)',
    motivation: r.motivation ?? 'Not recorded (imported)',
    sponsor_name: r.sponsor_name ?? 'Not recorded',
    sponsor_email: r.sponsor_email ?? '',
    consent_at: new Date(),
    privacy_notice_version: 'import',
    status_token_hash: hashToken(statusToken),
    source: 'import',
    ...(member ? { status: 'accepted' as const, accepted_at: new Date(), user_id: userId } : {}),
  });
  if (r.sponsor_email && !member) {
    await repo.insertEndorsement(trx, {
      applicationId: app.id,
      tokenHash: hashToken(createToken()),
      expiresAt: new Date(Date.now() + 28 * 86_400_000),
      status: 'pending',
    });
  }
  await recordAudit(trx, 'system', {
    action: 'application.import',
    entityType: 'application',
    entityId: app.id,
    summary: `Imported ${member ? 'member' : 'applicant'} ${fullName} (${app.reference}) into ${v.regionCode}`,
  });
  if (!member) {
    await enqueueEmail(
      trx,
      importedAcknowledgementLetter({
        to: r.email,
        name: fullName,
        reference: app.reference,
        statusLink: `${baseUrl}/application/${statusToken}`,
      }),
    );
  }
}

export const EXPORT_COLUMNS = [
  'reference',
  'status',
  'region_code',
  'intake',
  'given_name',
  'family_name',
  'email',
  'phone',
  'profession',
  'register',
  'registration_number',
  'employer_ods_code',
  'employer_name',
  'job_title',
  'sponsor_name',
  'sponsor_email',
  'endorsement',
  'waitlist_rank',
  'decision_reason',
  'submitted_at',
  'decided_at',
  'accepted_at',
  'source',
];

/** Writes every application (of one region, or all) as CSV, in batches so memory stays flat. */
export async function exportApplicationsCsv(
  db: DB,
  regionCode: string | undefined,
  write: (chunk: string) => void,
): Promise<number> {
  write(stringify([EXPORT_COLUMNS]));
  let after = 0;
  let count = 0;
  const cell = (v: unknown) => {
    const s = v instanceof Date ? v.toISOString() : v == null ? '' : String(v);
    return /^[=+\-@]/.test(s) ? `'${s}` : s;
  };
  for (;;) {
    const rows = await repo.applicationsForExport(db, regionCode, after, 500);
    if (!rows.length) return count;
    write(
      stringify(
        rows.map((a) =>
          [
            a.reference,
            a.status,
            a.region_code,
            a.intake_name,
            a.given_name,
            a.family_name,
            a.email,
            a.phone,
            a.profession,
            a.register,
            a.registration_number,
            a.employer_ods_code,
            a.employer_name,
            a.job_title,
            a.sponsor_name,
            a.sponsor_email,
            a.endorsement_status,
            a.waitlist_rank,
            a.decision_reason,
            a.submitted_at,
            a.decided_at,
            a.accepted_at,
            a.source,
          ].map(cell),
        ),
      ),
    );
    count += rows.length;
    after = rows[rows.length - 1]!.id;
  }
}
