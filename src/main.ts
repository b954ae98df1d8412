import { ConfigError, loadConfig } from './config.ts';
import { DataDirectoryLockedError } from './db/lock.ts';
import { startServer } from './server.ts';
import { version } from './version.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env, version);
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing requests in flight and closing the database...`);
    const force = setTimeout(() => {
      console.error('Shutdown took longer than 20 seconds; exiting.');
      process.exit(1);
    }, 20_000);
    force.unref();
    server.close().then(
      () => {
        console.log('Stopped cleanly.');
        process.exit(0);
      },
      (err) => {
        console.error('Error while stopping:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof DataDirectoryLockedError || err instanceof ConfigError) {
    console.error(`Cannot start: ${err.message}`);
  } else if (err instanceof Error && 'code' in err && err.code === 'EADDRINUSE') {
    console.error(`Cannot start: the address is already in use (${err.message}). Set PORT to another port.`);
  } else {
    console.error('Cannot start:', err);
  }
  process.exit(1);
});
