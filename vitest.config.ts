import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const REACT_TESTS = 'test/react/**/*.test.tsx';

/** Where test/react18/global-setup.ts installs React 18. */
const REACT_18 = fileURLToPath(new URL('./test/react18/node_modules/', import.meta.url));

/**
 * Everything the React tests import that imports React, so that nothing reaches the root's
 * React 19. Node resolves their own imports from test/react18/node_modules (React 18) and walks
 * up to the root for the rest: one xstate, the one `src/` uses.
 */
const REACT_18_PACKAGES = ['react', 'react-dom', '@testing-library/react', '@xstate/react'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'jsdom',
          include: [
            'test/unit/**/*.test.ts',
            'test/model/**/*.test.ts',
            'test/sim/**/*.test.ts',
            REACT_TESTS,
          ],
          provide: { reactMajor: 19 },
        },
      },
      {
        resolve: {
          alias: REACT_18_PACKAGES.map((name) => ({
            find: new RegExp(`^${name}(/.*)?$`),
            replacement: `${REACT_18}${name}$1`,
          })),
        },
        test: {
          name: 'react18',
          environment: 'jsdom',
          setupFiles: ['test/react18/setup.ts'],
          include: [REACT_TESTS],
          globalSetup: ['test/react18/global-setup.ts'],
          provide: { reactMajor: 18 },
        },
      },
      {
        test: {
          name: 'server',
          environment: 'node',
          include: ['test/server/**/*.test.{ts,tsx}'],
        },
      },
      {
        test: {
          name: 'redis',
          environment: 'node',
          include: ['test/redis/**/*.test.ts'],
          // Each file starts its own redis-server; kills and restarts are that file's own.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
