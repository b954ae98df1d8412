import { withDatabase } from '../../platform/cli-support.ts';
import { readFile, writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError } from '../../platform/errors.ts';
import { exportDirectoryCsv, importMembersCsv } from './members.csv.ts';
import { importOdsOrganisations, ODS_KINDS, type OdsKind } from './members.organisations-import.ts';
import { directoryQuery } from './members.schemas.ts';
import { createMembersService } from './members.service.ts';

class MembersCliError extends AppError {
  override readonly status = 400;
  override readonly code = 'cli';
}

/** Adds `cln members import FILE [--dry-run]` and `cln members export [filters] [--output FILE]`. */
export function registerMembersCli(program: Command): void {
  const members = program.command('members').description('Members: CSV import and export');

  members
    .command('import')
    .description(
      'Import members from a CSV file: every row is checked, and nothing is imported unless all are good',
    )
    .argument('<file>', 'CSV file in UTF-8 with a header row')
    .option('--dry-run', 'check the file and report, without importing')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      let buffer: Buffer;
      try {
        buffer = await readFile(file);
      } catch (err) {
        throw new MembersCliError(
          `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`,
        );
      }
      await withDatabase(async (db, config) => {
        const bar = new cliProgress.SingleBar(
          {
            format: 'Checking and importing [{bar}] {percentage}% | {value}/{total}',
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        );
        let started = false;
        const report = await importMembersCsv(db, buffer, {
          actor: 'system',
          baseUrl: config.baseUrl,
          dryRun: Boolean(opts.dryRun),
          onProgress: (done, total) => {
            if (!started) {
              bar.start(total, 0);
              started = true;
            }
            bar.update(done);
          },
        });
        if (started) bar.stop();
        if (report.problem) throw new MembersCliError(`${file}: ${report.problem}`);
        if (report.badRows.length) {
          for (const b of report.badRows) console.error(`line ${b.line}: ${b.reasons.join('; ')}`);
          throw new MembersCliError(
            `${report.badRows.length} of ${report.rows} rows have problems. Nothing was imported.`,
          );
        }
        console.log(
          report.dryRun
            ? `All ${report.rows} rows are good. Nothing was imported (dry run).`
            : `Imported ${report.imported} members. Each has been emailed a link to set their password.`,
        );
      });
    });

  members
    .command('export')
    .description('Export the directory to CSV as the national team would see it (audited)')
    .option('--region <code>', 'only this region, e.g. Q34')
    .option('--status <status>', 'only this membership status')
    .option('--output <file>', 'write to a file instead of standard output')
    .action(async (opts: { region?: string; status?: string; output?: string }) => {
      const parsed = directoryQuery.safeParse({ region: opts.region, status: opts.status, sort: 'name' });
      if (!parsed.success)
        throw new MembersCliError(
          parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '),
        );
      await withDatabase(async (db) => {
        const csv = await exportDirectoryCsv(db, createMembersService({ db }), 'system', parsed.data);
        if (opts.output) {
          await writeFile(opts.output, csv);
          console.error(`Wrote ${csv.split('\n').length - 2} members to ${opts.output}`);
        } else process.stdout.write(csv);
      });
    });

  program
    .command('organisations')
    .description('Organisations (ODS): load NHS ODS extracts')
    .command('import')
    .description(
      'Load an NHS ODS extract (headerless CSV: epraccur.csv, edispensary.csv, egdpprac.csv) as organisations, ' +
        'upserting by ODS code and keeping closed ones with their close date; nothing is loaded unless every row is good',
    )
    .argument('<file>', 'the ODS extract, as downloaded (CSV without a header row)')
    .requiredOption('--kind <kind>', `what the file holds: ${Object.keys(ODS_KINDS).join(', ')}`)
    .option('--dry-run', 'check the file and report, without loading')
    .action(async (file: string, opts: { kind: string; dryRun?: boolean }) => {
      if (!(opts.kind in ODS_KINDS))
        throw new MembersCliError(
          `--kind must be one of ${Object.entries(ODS_KINDS)
            .map(([k, v]) => `${k} (${v})`)
            .join(', ')}`,
        );
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new MembersCliError(
          `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`,
        );
      }
      await withDatabase(async (db) => {
        const bar = new cliProgress.SingleBar(
          { format: 'Loading [{bar}] {percentage}% | {value}/{total}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        );
        let started = false;
        const report = await importOdsOrganisations(db, text, {
          kind: opts.kind as OdsKind,
          dryRun: Boolean(opts.dryRun),
          onProgress: (done, total) => {
            if (!started) {
              bar.start(total, 0);
              started = true;
            }
            bar.update(done);
          },
        });
        if (started) bar.stop();
        for (const e of report.errors) console.error(`line ${e.line}: ${e.message}`);
        if (report.errors.length) {
          process.exitCode = 1;
          console.error(`${report.errors.length} bad rows of ${report.rows}: nothing was loaded`);
        } else if (opts.dryRun)
          console.log(`${report.rows} rows checked: all good (dry run, nothing loaded)`);
        else
          console.log(
            `${report.rows} ${opts.kind} organisations loaded: ${report.inserted} new, ${report.updated} updated, ${report.closed} closed (kept with their close date)`,
          );
      });
    });
}
