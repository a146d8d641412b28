import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // moto-backed suites each start their own server; two cores do not gain from more workers.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
