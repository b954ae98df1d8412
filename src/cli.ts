import { Command, Option } from 'commander';
import path from 'node:path';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { BackupError, backupDatabase, defaultBackupName, formatBytes, restoreDatabase } from './db/backup.ts';
import { DataDirectoryLockedError } from './db/lock.ts';
import { listMigrations } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { registerLearningSetsCli } from './modules/learning-sets/index.ts';
import { registerMembersCli } from './modules/members/index.ts';
import { registerMentoringCli } from './modules/mentoring/index.ts';
import { registerRecruitmentCli } from './modules/recruitment/index.ts';
import { createAccountsService } from './platform/accounts/accounts.service.ts';
import { CliError, withDatabase } from './platform/cli-support.ts';
import { AppError, ValidationError } from './platform/errors.ts';
import { isRole, ROLE_LABELS, ROLES, type RoleGrant } from './platform/permissions.ts';
import { checkPasswordPolicy } from './platform/security.ts';
import { seedDemo } from './seed/demo.ts';
import { demoSteps } from './seed/steps.ts';
import { startServer } from './server.ts';
import { version } from './version.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new CliError(
      '--password-stdin reads the password from standard input: pipe it in, for example: echo "$PASSWORD" | npx cln user add ...',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function config(): Config {
  return loadConfig(process.env, version);
}

/**
 * Tasks run from the command line email links (reminders with fresh links, offers from the
 * waitlist) built from BASE_URL; unset, they point at this machine's own address, which nobody
 * else can open. Says so, or nothing when BASE_URL is set.
 */
export function baseUrlWarning(env: Record<string, string | undefined>, baseUrl: string): string | null {
  if (env.BASE_URL?.trim()) return null;
  return (
    `Warning: BASE_URL is not set, so links in the emails these tasks send will point at ${baseUrl}, ` +
    'which recipients cannot open. Set BASE_URL to the public address (as the server has it), for example ' +
    'BASE_URL=https://cln.example.nhs.uk npx cln tasks run'
  );
}

function parseGrants(roles: string[], region: string | undefined): RoleGrant[] {
  return roles.map((r) => {
    const role = r.trim().toLowerCase();
    if (!isRole(role)) throw new CliError(`Unknown role "${r}". Roles: ${ROLES.join(', ')}`);
    return { role, regionCode: region ? region.trim().toUpperCase() : null };
  });
}

/** A backup or restore that cannot go ahead, as one line the person can act on. */
function backupFailure(err: unknown, what: 'backup' | 'restore'): unknown {
  if (err instanceof DataDirectoryLockedError)
    return new CliError(
      `The embedded database in ${err.dataDir} is in use by another process (pid ${err.pid}), probably the running server. ` +
        `A ${what} of the embedded database needs it to itself, so that ${what === 'backup' ? 'the copy is consistent' : 'nothing writes while it is replaced'}: ` +
        `stop the server (Ctrl+C in its terminal, or kill ${err.pid}), run cln db ${what}, then start the server again. ` +
        'With PostgreSQL (DATABASE_URL), backups are taken while the app serves.',
    );
  if (err instanceof BackupError) return new CliError(err.message);
  return err;
}

export function buildCli(): Command {
  const program = new Command('cln')
    .description('Clinical Leaders Network platform')
    .version(version)
    .showHelpAfterError();

  program
    .command('serve')
    .description('Serve the web application (the same as npm start)')
    .action(async () => {
      const server = await startServer(config());
      const stop = () => server.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  const db = program.command('db').description('Database tasks');
  db.command('migrate')
    .description('Apply pending migrations (the server also does this at start)')
    .action(async () => {
      await withDatabase(async (database) => {
        const all = await listMigrations(database);
        console.log(`Database is up to date: ${all.length} migrations applied.`);
      });
    });
  db.command('status')
    .description('List migrations and when each was applied')
    .action(async () => {
      const cfg = config();
      const handle = await openDatabase(cfg.database).catch((err) => {
        throw err instanceof DataDirectoryLockedError ? new CliError(err.message) : err;
      });
      try {
        for (const m of await listMigrations(handle.db)) {
          console.log(`${m.executedAt ? m.executedAt.toISOString() : 'pending                 '}  ${m.name}`);
        }
      } finally {
        await handle.close();
      }
    });

  db.command('backup')
    .description(
      'Write the whole database to one backup file. Embedded: stop the server first (the copy must not change while it is taken). PostgreSQL: pg_dump, while the app serves',
    )
    .option('--output <file>', 'the file to write (default: cln-backup-<mode>-<time>.tar here)')
    .option('--pg-bin <dir>', 'PostgreSQL: the directory holding pg_dump, if it is not found')
    .action(async (opts: { output?: string; pgBin?: string }) => {
      const cfg = config();
      const out = path.resolve(opts.output ?? defaultBackupName(cfg.database.kind));
      const started = Date.now();
      const manifest = await backupDatabase(cfg.database, out, {
        appVersion: version,
        pgBin: opts.pgBin,
        progress: (m) => console.log(m),
      }).catch((err: unknown) => {
        throw backupFailure(err, 'backup');
      });
      const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
      console.log(
        `Backup written to ${out}: ${formatBytes(manifest.payload.bytes)}, ${Object.keys(manifest.tables).length} tables, ` +
          `${rows.toLocaleString('en-GB')} rows, schema ${manifest.latestMigration ?? '(none)'}, in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      );
    });
  db.command('restore <file>')
    .description(
      'Restore a backup made by cln db backup into the configured database, which must be empty (or --force). Embedded: stop the server first',
    )
    .option(
      '--force',
      'replace a database that is not empty (embedded: the old one is moved aside, not deleted)',
    )
    .option('--pg-bin <dir>', 'PostgreSQL: the directory holding pg_restore, if it is not found')
    .action(async (file: string, opts: { force?: boolean; pgBin?: string }) => {
      const cfg = config();
      const started = Date.now();
      const result = await restoreDatabase(cfg.database, path.resolve(file), {
        force: opts.force,
        pgBin: opts.pgBin,
        progress: (m) => console.log(m),
      }).catch((err: unknown) => {
        throw backupFailure(err, 'restore');
      });
      if (result.replacedDir) console.log(`The database that was there is kept in ${result.replacedDir}.`);
      console.log(
        `Restored ${result.tables} tables and ${result.rows.toLocaleString('en-GB')} rows from the backup of ${result.manifest.createdAt}; ` +
          `every table's row count matches the backup (${((Date.now() - started) / 1000).toFixed(1)} s). ` +
          'The server applies any newer migrations when it next starts.',
      );
    });

  const user = program.command('user').description('Accounts');
  user
    .command('add')
    .description('Create an account; without --password-stdin the person is emailed a link to set a password')
    .requiredOption('--email <email>', 'email address (the sign-in name)')
    .requiredOption('--name <name>', 'full name')
    .addOption(new Option('--role <role...>', `one or more roles: ${ROLES.join(', ')}`).makeOptionMandatory())
    .option('--region <code>', 'region code for regional roles (Q30 to Q39), e.g. Q34 for West Midlands')
    .option('--password-stdin', 'read the password from standard input')
    .action(
      async (opts: {
        email: string;
        name: string;
        role: string[];
        region?: string;
        passwordStdin?: boolean;
      }) => {
        const password = opts.passwordStdin ? await readStdin() : undefined;
        if (password !== undefined) {
          const problem = checkPasswordPolicy(password, { email: opts.email });
          if (problem) throw new CliError(problem);
        }
        const grants = parseGrants(opts.role, opts.region);
        await withDatabase(async (database, cfg) => {
          const accounts = createAccountsService({ db: database, config: cfg });
          const created = await accounts.createUser(
            { email: opts.email, name: opts.name, password, roles: grants },
            'system',
          );
          console.log(
            `Created ${created.email} (${grants.map((g) => ROLE_LABELS[g.role] + (g.regionCode ? ` ${g.regionCode}` : '')).join(', ')}).`,
          );
          if (password === undefined) console.log('An invitation to set a password is in the email outbox.');
          else console.log(`They can sign in at ${cfg.baseUrl}/sign-in`);
        });
      },
    );

  user
    .command('list')
    .description('List accounts')
    .option('--role <role>', 'only accounts with this role')
    .option('--search <text>', 'name or email contains')
    .action(async (opts: { role?: string; search?: string }) => {
      if (opts.role && !isRole(opts.role))
        throw new CliError(`Unknown role "${opts.role}". Roles: ${ROLES.join(', ')}`);
      await withDatabase(async (database, cfg) => {
        const accounts = createAccountsService({ db: database, config: cfg });
        let page = 1;
        for (;;) {
          const { rows, total } = await accounts.listUsers({
            q: opts.search,
            role: opts.role,
            page,
            pageSize: 500,
          });
          for (const u of rows) {
            const roles = u.roles.map((g) => g.role + (g.regionCode ? `:${g.regionCode}` : '')).join(',');
            console.log(
              `${String(u.id).padStart(6)}  ${u.disabled_at ? 'disabled' : 'active  '}  ${u.email}  ${u.name}  [${roles}]`,
            );
          }
          if (page * 500 >= total) {
            console.log(`${total} account${total === 1 ? '' : 's'}`);
            break;
          }
          page++;
        }
      });
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    user
      .command(`${name} <email>`)
      .description(disabled ? 'Disable an account and end its sessions' : 'Enable a disabled account')
      .action(async (email: string) => {
        await withDatabase(async (database, cfg) => {
          const accounts = createAccountsService({ db: database, config: cfg });
          const found = await accounts.findUserByEmail(email);
          if (!found) throw new CliError(`No account with the email address ${email}`);
          await accounts.setDisabled(found.id, disabled, 'system');
          console.log(`${disabled ? 'Disabled' : 'Enabled'} ${found.email}.`);
        });
      });
  }

  const seed = program.command('seed').description('Demo data');
  seed
    .command('demo')
    .description(
      'Fill the database with a realistic demo network (people in every role across all ten regions)',
    )
    .option('--force', 'seed even if the database holds real members')
    .option(
      '--password-stdin',
      "read the demo accounts' password from standard input (default: a generated one, printed)",
    )
    .action(async (opts: { force?: boolean; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin
        ? await readStdin()
        : `demo-${Math.random().toString(36).slice(2, 10)}-network`;
      const problem = checkPasswordPolicy(password);
      if (problem) throw new CliError(problem);
      await withDatabase(async (database) => {
        const { people } = await seedDemo(database, {
          password,
          force: Boolean(opts.force),
          steps: demoSteps,
          progress: (m) => console.log(`  ${m}`),
        });
        console.log(
          `Demo network created: ${people.length} accounts. Every demo account's password is: ${password}`,
        );
        console.log('Try: national@demo.cln.example, lead.q34@demo.cln.example, member@demo.cln.example');
      });
    });

  const tasks = program
    .command('tasks')
    .description('Background tasks (reminders, housekeeping) the server runs periodically');
  tasks
    .command('list')
    .description('List the periodic tasks and when each last ran')
    .action(async () => {
      await withDatabase(async (database, cfg) => {
        const app = await buildApp({ config: cfg, db: database, backend: cfg.database.kind, logger: false });
        try {
          const runs = await database.selectFrom('scheduled_tasks').selectAll().execute();
          for (const t of app.scheduledTasks) {
            const r = runs.find((x) => x.name === t.name);
            const last = r?.last_finished_at ? r.last_finished_at.toISOString() : 'never';
            console.log(
              `${t.name}  every ${t.everyMinutes} min  last run: ${last}${r?.last_error ? `  last error: ${r.last_error}` : ''}`,
            );
          }
        } finally {
          await app.close();
        }
      });
    });
  tasks
    .command('run [names...]')
    .description(
      'Run tasks now, whether due or not (all of them without names), e.g. cln tasks run development.feedback-reminders',
    )
    .action(async (names: string[]) => {
      await withDatabase(async (database, cfg) => {
        const warning = baseUrlWarning(process.env, cfg.baseUrl);
        if (warning) console.error(warning);
        const app = await buildApp({ config: cfg, db: database, backend: cfg.database.kind, logger: false });
        try {
          const unknown = names.filter((n) => !app.scheduledTasks.some((t) => t.name === n));
          if (unknown.length) {
            throw new CliError(
              `Unknown task ${unknown.join(', ')}. Tasks: ${app.scheduledTasks.map((t) => t.name).join(', ')}`,
            );
          }
          for (const t of app.scheduledTasks.filter((x) => names.length === 0 || names.includes(x.name))) {
            const result = await t.run();
            console.log(`${t.name}: done${result !== undefined ? ` ${JSON.stringify(result)}` : ''}`);
          }
        } finally {
          await app.close();
        }
      });
    });

  registerMentoringCli(program);
  registerLearningSetsCli(program);
  registerMembersCli(program);
  registerRecruitmentCli(program);

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildCli();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      return;
    if (code?.startsWith('commander.')) {
      process.exitCode = 1;
      return;
    }
    if (err instanceof ValidationError)
      console.error(`Error: ${err.errors.map((e) => e.message).join('; ')}`);
    else if (
      err instanceof CliError ||
      err instanceof AppError ||
      err instanceof ConfigError ||
      err instanceof DataDirectoryLockedError
    )
      console.error(`Error: ${err.message}`);
    else console.error(err);
    process.exitCode = 1;
  }
}
