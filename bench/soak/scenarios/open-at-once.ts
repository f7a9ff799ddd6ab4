/**
 * (a) Twelve tabs opened at the same instant: once every tab is open, exactly one stream at the
 * server and exactly one leader — and never two streams at once on the way there.
 *
 * The lane's twelve tabs are opened once; every later trial signs the last user out, then
 * navigates all twelve at the same instant to the page of a new user: for tabcast, twelve new
 * documents racing for one new scope, like twelve tabs opened at once. (Signed in, the old
 * documents would go on handing their scope's lock on as they unload, and connect with the
 * profile's cookie — the new user's by then.)
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
} from '../lane.js';

const TABS = 12;
/** Each tab's navigation starts up to this long after the first: "at once", in random order. */
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
      const tabs =
        lane.tabs.length === 0
          ? await profile.openTabs(TABS, { ...options, atOnce: true })
          : await Promise.all(
              lane.tabs.map(async (tab) => {
                await sleep(between(trial.random, 0, SPREAD_MS));
                await tab.load(options);
                return tab;
              }),
            );
      try {
        await expectOneStream(server, tabs, user);
      } catch {
        const statuses = await Promise.all(tabs.map((tab) => tab.status()));
        const count = (role: string) => statuses.filter((status) => status.role === role).length;
        trial.fail(
          `not quiet after 15 s: ${server.hub.stats().streamsByUser[user] ?? 0} streams, ` +
            `${count('leader')} leaders, ${count('follower')} followers, phases ` +
            [...new Set(statuses.map((status) => status.phase))].join('/'),
        );
      }
      // The self-check's fault: a second stream of the user, beside the leader's.
      if (environment.selfCheck) await streamOutsideTabcast(tabs[0]!);
      const most = server.maxOpenStreams(user);
      if (most !== 1) trial.fail(`${most} streams open at once for one profile`);
      await lane.reportErrors(trial);
    },
    close: () => lane.close(),
  };
}
