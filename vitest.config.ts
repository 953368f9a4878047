import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // Dot directories hold scratch copies (transpiled children, benchmark baselines), never tests of their own.
    exclude: ['node_modules/**', 'dist/**', '**/.*/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
