#!/usr/bin/env node
// The `cln` command. Runs the TypeScript sources through tsx so it works straight after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
await runCli(process.argv);
