import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { startOutboxSender } from './platform/outbox.ts';
import { startScheduler } from './platform/scheduler.ts';

export type RunningServer = { url: string; close(): Promise<void> };

/**
 * Opens the database (locking an embedded data directory), applies migrations, serves HTTP, starts
 * the outbox sender, and prints a one-time set-up link while no national-team account exists.
 */
export async function startServer(
  config: Config,
  out: (line: string) => void = console.log,
): Promise<RunningServer> {
  const handle = await openDatabase(config.database);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    await migrateToLatest(handle.db);
    app = await buildApp({ config, db: handle.db, backend: handle.backend });
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app?.close().catch(() => undefined);
    await handle.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  const sender = config.smtpUrl
    ? startOutboxSender({ db: handle.db, smtpUrl: config.smtpUrl, from: config.mailFrom, log: app.log })
    : null;
  const scheduler = startScheduler({ db: handle.db, tasks: app.scheduledTasks, log: app.log });

  out(
    `Clinical Leaders Network is running at ${url} (database: ${handle.backend === 'pglite' ? `embedded, ${config.database.kind === 'pglite' ? config.database.dataDir : ''}` : 'PostgreSQL'})`,
  );
  if (!sender) out('Email: SMTP_URL is not set, so emails stay in the outbox (national team: Outbox page).');
  const setupLink = await app.services.accounts.createSetupLinkIfNeeded();
  if (setupLink) {
    out('');
    out('There is no national team account yet. Open this one-time link to create the first one:');
    out(`  ${setupLink}`);
    out('(or run: npx cln user add --email you@nhs.net --name "Your Name" --role national --password-stdin)');
    out('');
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= (async () => {
        await scheduler.stop();
        // Stop accepting connections, let requests in flight finish, then close the database.
        await app!.close();
        await sender?.stop();
        await handle.close();
      })();
      return closing;
    },
  };
}
