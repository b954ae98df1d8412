import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { withDatabase } from '../../platform/cli-support.ts';
import { exportApplicationsCsv, importApplicationsCsv } from './recruitment.csv.ts';
import { createRecruitmentService } from './recruitment.service.ts';

function regionCode(value: string): string {
  const v = value.trim().toUpperCase();
  if (!/^Q3\d$/.test(v)) throw new InvalidArgumentError('expected a region code from Q30 to Q39, e.g. Q34.');
  return v;
}

/** `cln recruitment import|export|remind|expire-offers`. */
export function registerRecruitmentCli(program: Command): void {
  const recruitment = program
    .command('recruitment')
    .description('Recruitment: CSV import and export, sponsor reminders, lapsed offers');

  recruitment
    .command('import')
    .description(
      'Bring in existing applicants and members from CSV, all or nothing. Columns: given_name, family_name, email, ' +
        'phone, profession, registration_number, employer_ods_code, region_code, job_title, role_summary, ' +
        'leadership_experience, motivation, sponsor_name, sponsor_email, status (applicant or member)',
    )
    .argument('<file>', 'CSV file with a header row')
    .option('--dry-run', 'check every row and report, without importing anything')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        console.error(
          `Error: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`,
        );
        process.exitCode = 1;
        return;
      }
      await withDatabase(async (db, { baseUrl }) => {
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              {
                format: 'Checking and importing [{bar}] {percentage}% | {value}/{total}',
                stream: process.stderr,
              },
              cliProgress.Presets.shades_classic,
            )
          : null;
        let started = false;
        const report = await importApplicationsCsv(db, baseUrl, text, {
          dryRun: Boolean(opts.dryRun),
          progress: (done, total) => {
            if (!bar) return;
            if (!started) {
              bar.start(total, 0);
              started = true;
            }
            bar.update(done);
          },
        });
        bar?.stop();
        for (const e of report.errors) console.error(`${file}:${e.line}: ${e.message}`);
        if (report.errors.length) {
          const bad = new Set(report.errors.map((e) => e.line)).size;
          console.error(
            `Nothing imported: ${bad} of ${report.rows} rows have problems. Correct them and run the import again.`,
          );
          process.exitCode = 1;
        } else if (opts.dryRun) {
          console.log(
            `Dry run: all ${report.rows} rows are valid (${report.applicants} applicants, ${report.members} members). Nothing was imported.`,
          );
        } else {
          console.log(
            `Imported ${report.rows} rows: ${report.applicants} applicants and ${report.members} members (invitations are in the email outbox).`,
          );
        }
      });
    });

  recruitment
    .command('export')
    .description('Write every application as CSV')
    .option('--region <code>', 'only this region, e.g. Q34', regionCode)
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { region?: string; out?: string }) => {
      await withDatabase(async (db) => {
        const stream = opts.out ? createWriteStream(opts.out) : null;
        const count = await exportApplicationsCsv(db, opts.region, (chunk) =>
          stream ? stream.write(chunk) : process.stdout.write(chunk),
        );
        if (stream) {
          await new Promise<void>((resolve, reject) =>
            stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
          );
          console.error(`Wrote ${count} application${count === 1 ? '' : 's'} to ${opts.out}`);
        }
      });
    });

  recruitment
    .command('remind')
    .description('Email a reminder to every sponsor who has not answered (the server also does this hourly)')
    .action(async () => {
      await withDatabase(async (db, config) => {
        const n = await createRecruitmentService({ db, config }).sendSponsorReminders();
        console.log(`${n} reminder${n === 1 ? '' : 's'} queued in the email outbox.`);
      });
    });

  recruitment
    .command('expire-offers')
    .description(
      'Withdraw every offer not accepted by its reply-by date and offer the freed places to the waitlist ' +
        '(the server also does this hourly)',
    )
    .action(async () => {
      await withDatabase(async (db, config) => {
        const n = await createRecruitmentService({ db, config }).expireOffers();
        console.log(`${n} offer${n === 1 ? '' : 's'} lapsed; the applicants are told in the email outbox.`);
      });
    });
}
