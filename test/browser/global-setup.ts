/**
 * Global setup of the browser project: makes sure the system Chromium is there (never a silent
 * skip), then bundles the test pages (tabcast's and the plain-wire one) once per run, in memory, for
 * every test file.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { bundleBrowserModule } from '../../demo/bundle.js';
import { CHROMIUM_PATH } from './support/browser.js';

const INSTALL_COMMAND = 'apt-get update && apt-get install -y chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test page script: `test/browser/support/page.ts` with tabcast and xstate bundled. */
    pageBundle: string;
    /** The plain-wire test page: `test/browser/plain/support/page.ts`, bundled. */
    plainPageBundle: string;
  }
}

function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() === 0) {
    console.log(`browser tests: ${CHROMIUM_PATH} is missing, running: ${INSTALL_COMMAND}`);
    execSync(INSTALL_COMMAND, { stdio: 'inherit', shell: '/bin/sh' });
    if (existsSync(CHROMIUM_PATH)) return;
  }
  throw new Error(
    `browser tests need Chromium at ${CHROMIUM_PATH}. Install it with: ${INSTALL_COMMAND}` +
      ' (as root, e.g. with sudo)',
  );
}

export default async function setup(project: TestProject): Promise<void> {
  ensureChromium();
  const [pageBundle, plainPageBundle] = await Promise.all([
    bundleBrowserModule('test/browser/support/page.ts'),
    bundleBrowserModule('test/browser/plain/support/page.ts'),
  ]);
  project.provide('pageBundle', pageBundle);
  project.provide('plainPageBundle', plainPageBundle);
}
