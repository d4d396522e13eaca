import { defineConfig } from 'vitest/config';

// Unit tests live beside the code (`*.test.ts`); integration tests under test/.
// Two cores on the reference machine: keep the worker pool at two forks.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'coprocessor/**/*.test.ts', 'sql-demo/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/bench/**', 'test/compat/**'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
