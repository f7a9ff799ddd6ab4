/**
 * (a) Twelve tabs joining one scope at the same instant: once every tab is open, exactly one
 * stream at the server and exactly one leader — and never two streams at once on the way there.
 *
 * The lane's twelve tabs are opened once. Every later trial signs the last user out, then either
 * opens the twelve anew — each navigates, at the same instant, to the page of a new user: twelve
 * new documents racing for a new scope, as twelve tabs opened at once — or, in the other trials
 * (the seed decides), signs the twelve open tabs in as the new user at once, as an app does that
 * passes a login on to its other tabs: the same race for the lock, at a fifth of the cost (a
 * navigation takes Chromium about 150 ms of CPU here, so twelve of them every trial would not
 * fit 1000 trials in the run's half hour). (Left signed in, the old documents would go on handing
 * their scope's lock on as they unload, and connect with the profile's cookie — the new user's
 * by then.)
 */
import { expectOneStream } from '../../../test/browser/support/suite.js';
import { sleep } from '../../../test/browser/support/wait.js';
import {
  between,
  DEFAULT_VARIANT,
  type Lane,
  LaneResources,
  type SoakEnvironment,
  streamOutsideTabcast,
  type Trial,
  waitForSignedOut,
  waitForStreams,
} from '../lane.js';

const TABS = 12;
/** The share of trials that open the twelve documents anew. */
const REOPEN_SHARE = 1 / 4;
/** Each tab starts up to this long after the first: "at once", in random order. */
const SPREAD_MS = 5;

export async function openAtOnceLane(environment: SoakEnvironment, name: string): Promise<Lane> {
  const lane = await LaneResources.open(environment, DEFAULT_VARIANT);
  const { server, profile } = lane;
  let previousUser: string | undefined;
  return {
    async run(trial: Trial) {
      const user = `${name}-${trial.number}`;
      if (previousUser !== undefined) {
        await lane.tabs[0]!.logout();
        await waitForSignedOut(server, lane.tabs, previousUser);
      }
      previousUser = user;
      const options = lane.tabOptions(user);
      const reopen = lane.tabs.length === 0 || trial.random() < REOPEN_SHARE;
      const tabs =
        lane.tabs.length === 0
          ? await profile.openTabs(TABS, { ...options, atOnce: true })
          : await Promise.all(
              lane.tabs.map(async (tab) => {
                await sleep(between(trial.random, 0, SPREAD_MS));
                await (reopen ? tab.load(options) : tab.login(user));
                return tab;
              }),
            );
      try {
        await waitForStreams(server, user, 1);
        await expectOneStream(server, tabs, user);
      } catch {
        const statuses = await Promise.all(tabs.map((tab) => tab.status()));
        const count = (role: string) => statuses.filter((status) => status.role === role).length;
        trial.fail(
          `not quiet 15 s after ${reopen ? 'opening' : 'signing in'} twelve tabs: ` +
            `${server.hub.stats().streamsByUser[user] ?? 0} streams, ` +
            `${count('leader')} leaders, ${count('follower')} followers, phases ` +
            [...new Set(statuses.map((status) => status.phase))].join('/'),
        );
      }
      // The self-check's fault: a second stream of the user, beside the leader's.
      if (environment.selfCheck) await streamOutsideTabcast(tabs[0]!);
      const most = server.maxOpenStreams(user);
      if (most !== 1) {
        trial.fail(`${most} streams open at once after ${reopen ? 'opening' : 'signing in'} tabs`);
      }
      await lane.reportErrors(trial);
    },
    close: () => lane.close(),
  };
}
