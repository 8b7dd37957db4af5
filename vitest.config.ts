import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import shared from './vitest.shared.js';

/** The runner's tests, as apps/runner/vitest.config.ts runs them, with `test` options replaced (not merged). */
const runner = (test: NonNullable<TestProjectInlineConfiguration['test']>): TestProjectInlineConfiguration => ({ ...shared, test: { ...shared.test, root: './apps/runner', ...test } });

export default defineConfig({
  test: {
    projects: [
      'packages/*',
      // the benchmark's own tests: its figures' arithmetic, and `npm run bench` end to end at a tiny size
      { ...shared, test: { ...shared.test, name: 'bench', root: './bench', include: ['*.test.ts'] } },
      runner({ name: '@warehouse/runner', exclude: ['**/node_modules/**', 'test/runner-bundle.test.ts'] }),
      // it rebuilds the runner bundle by touching a source file: a running compile server takes
      // that for an edit of the runner and hands over to a successor, so it runs after the rest
      runner({ name: '@warehouse/runner-bundle', include: ['test/runner-bundle.test.ts'], sequence: { groupOrder: 1 } }),
    ],
  },
});
