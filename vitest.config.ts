import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites each start servers with worker pools; running files two at a time keeps a 2-core box responsive.
    maxWorkers: 2,
  },
});
