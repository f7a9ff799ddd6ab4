/**
 * Global setup of the react18 project: installs React 18 into test/react18/node_modules, which
 * vitest.config.ts aliases `react`, `react-dom`, `@testing-library/react` and `@xstate/react` to.
 *
 * It lives in its own package because the root cannot hold both: react-dom 18 wants `react@^18`
 * beside it, and a react-dom 18 in the root's node_modules would `require('react')` and get 19.
 * Runs `npm ci` when node_modules is missing or was installed from another lock (a marker file
 * keeps the lock's hash), so `npm ci && npm test` on a fresh clone needs no extra step, and no
 * root `postinstall` runs for the package's users.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FOLDER = fileURLToPath(new URL('.', import.meta.url));
const MARKER = `${FOLDER}node_modules/.tabcast-lock-hash`;

function lockHash(): string {
  return createHash('sha256')
    .update(readFileSync(`${FOLDER}package.json`))
    .update(readFileSync(`${FOLDER}package-lock.json`))
    .digest('hex');
}

export default function setup(): void {
  const hash = lockHash();
  if (existsSync(MARKER) && readFileSync(MARKER, 'utf8') === hash) return;
  console.log(`react18 tests: installing React 18 with \`npm ci\` in ${FOLDER}`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: FOLDER,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  writeFileSync(MARKER, hash);
}
