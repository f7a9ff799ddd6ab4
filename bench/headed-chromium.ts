/**
 * Debian's Chromium started headed under Xvfb, joined over CDP: the one way found to get tabs
 * that are really hidden (see /work/shared/BROWSER-NOTES.md). Playwright's own launch emulates
 * focus for every page, so `document.visibilityState` stays `visible` behind another tab; a
 * browser started by hand and joined with `connectOverCDP` keeps the browser's own visibility,
 * and its background throttling, since no flag here turns that off.
 *
 * Needs `xvfb-run` (Debian's `xvfb`: `apt-get install -y xvfb`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM_PATH } from '../test/browser/support/browser.js';
import { until } from './wait.js';

const XVFB_RUN = '/usr/bin/xvfb-run';

/**
 * The suite's flags less those that keep background tabs at full speed and less headless:
 * throttling of hidden tabs is what is measured.
 */
const HEADED_ARGS = [
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--window-size=1280,900',
];

export class HeadedChromium {
  private constructor(
    private readonly process: ChildProcess,
    private readonly profileDirectory: string,
    readonly browser: Browser,
  ) {}

  /** Starts Chromium on a display of its own (`xvfb-run -a`) and joins it over CDP. */
  static async launch({ args: extraArgs = [] as string[] } = {}): Promise<HeadedChromium> {
    if (!existsSync(XVFB_RUN)) {
      throw new Error('xvfb-run is missing: apt-get install -y xvfb');
    }
    const profileDirectory = mkdtempSync(path.join(os.tmpdir(), 'tabcast-headed-'));
    const args = [
      '-a',
      '-s',
      '-screen 0 1280x900x24',
      CHROMIUM_PATH,
      ...HEADED_ARGS,
      ...extraArgs,
      // Chromium refuses to run as root with its sandbox.
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      `--user-data-dir=${profileDirectory}`,
      '--remote-debugging-port=0',
      'about:blank',
    ];
    // Its own process group, so stopping it stops Xvfb and every Chromium process with it.
    const child = spawn(XVFB_RUN, args, { detached: true, stdio: 'ignore' });
    const portFile = path.join(profileDirectory, 'DevToolsActivePort');
    const stop = () => stopGroup(child, profileDirectory);
    try {
      if (!(await until(() => existsSync(portFile) && readPort(portFile) !== null, 30_000, 100))) {
        throw new Error('headed Chromium did not open its DevTools port within 30 s');
      }
      const browser = await chromium.connectOverCDP(`http://127.0.0.1:${readPort(portFile)}`, {
        noDefaults: true,
      });
      return new HeadedChromium(child, profileDirectory, browser);
    } catch (error) {
      await stop();
      throw error;
    }
  }

  /** The browser's own profile: its tabs share BroadcastChannel and Web Locks, like real tabs. */
  get context(): BrowserContext {
    const context = this.browser.contexts()[0];
    if (!context) throw new Error('headed Chromium has no default context');
    return context;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await stopGroup(this.process, this.profileDirectory);
  }
}

function readPort(file: string): number | null {
  const port = Number(readFileSync(file, 'utf8').split('\n', 1)[0]);
  return Number.isInteger(port) && port > 0 ? port : null;
}

/** Stops the process group this module started (by its id), then removes the profile. */
async function stopGroup(child: ChildProcess, profileDirectory: string): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Gone already.
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
  rmSync(profileDirectory, { recursive: true, force: true });
}
