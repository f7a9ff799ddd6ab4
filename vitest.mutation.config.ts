/**
 * The `unit` project of `vitest.config.ts` alone, for Stryker (`npm run test:mutation`): the
 * mutants are judged by the fast in-process tests, never by the browser or server suites.
 *
 * `isolate: false` reuses one jsdom environment across test files. Stryker runs the tests of
 * every mutant anew, and setting up jsdom per file cost more than the tests themselves (the
 * tests inject their world and patch no globals, so nothing leaks from one file to the next).
 */
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import config from './vitest.config';

type ProjectConfig = { test?: NonNullable<ViteUserConfig['test']> };

const unit = (config.test?.projects ?? []).find(
  (project): project is ProjectConfig =>
    typeof project === 'object' && (project as ProjectConfig).test?.name === 'unit',
);
if (!unit?.test)
  throw new Error('vitest.mutation.config.ts: no `unit` project in vitest.config.ts');

export default defineConfig({ test: { ...unit.test, name: 'unit', isolate: false } });
