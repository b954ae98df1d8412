import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Test files spend much of their time waiting on databases, Chromium and scrypt: run a few at once
    // even on a two-core machine.
    maxWorkers: 3,
    // Tests never fail on speed: a loaded CI machine may take a while over a browser journey.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
