/**
 * (c) A logout racing the moment a connect could start — in a follower at the instant the leader
 * closes (or its renderer crashes), or in one tab as another asks for `retry()` while the leader
 * waits to reconnect: the server sees no connect request of the user later than one round trip
 * after the logout was called (`LOGOUT_CONNECT_SLACK_MS`), and once quiet every tab is signed out
 * with no stream left.
 *
 * Every trial signs the lane's tabs in as a new user (a new tab takes a gone leader's place), so
 * the connect log of each trial's user is that trial's alone; the lane checks it once more when
 * it closes, for a connect that came later still.
 */
import type { Tab } from '../../../test/browser/support/browser.js';
import { expectOneStream } from '../../../test/browser/support/suite.js';
import type { TestServer } from '../../../test/browser/support/test-server.js';
import { sleep, waitUntil } from '../../../test/browser/support/wait.js';
import { LOGOUT_CONNECT_SLACK_MS, lateConnects } from '../checks.js';
import {
  between,
  type Lane,
  LaneResources,
  pick,
  type SoakEnvironment,
  TOPIC,
  type Trial,
  type Variant,
} from '../lane.js';

const TABS = 3;
/** The two actions of a race start at most this far apart, in either order. */
const MAX_OFFSET_MS = 10;

interface Logout {
  trial: Trial;
  user: string;
  /** When the page called `logout()` (its wall clock, the same as this process's). */
  at: number;
  /** Late connects already reported. */
  reported: number;
}

/** Starts `first` and, `offset` ms later (earlier, if negative), `second`; resolves with both. */
function race<A, B>(offset: number, first: () => Promise<A>, second: () => Promise<B>) {
  return Promise.all([
    sleep(Math.max(0, -offset)).then(first),
    sleep(Math.max(0, offset)).then(second),
  ]);
}

export async function logoutLane(
  environment: SoakEnvironment,
  name: string,
  variant: Variant,
): Promise<Lane> {
  const lane = await LaneResources.open(environment, variant);
  const { server, profile } = lane;
  const logouts: Logout[] = [];

  const reportLateConnects = (logout: Logout) => {
    const late = lateConnects(server.connectsOf(logout.user), logout.at);
    for (const attempt of late.slice(logout.reported)) {
      logout.trial.fail(
        `a connect (status ${attempt.status ?? 'none'}) reached the server ` +
          `${attempt.at - logout.at} ms after the logout (slack ${LOGOUT_CONNECT_SLACK_MS} ms)`,
      );
    }
    logout.reported = late.length;
  };

  return {
    async run(trial: Trial) {
      const user = `${name}-${trial.number}`;
      await Promise.all([
        ...lane.tabs.map((tab) => tab.login(user)),
        ...Array.from({ length: TABS - lane.tabs.length }, () =>
          profile.openTab(lane.tabOptions(user)),
        ),
      ]);
      const tabs = [...lane.tabs];
      const leader = await expectOneStream(server, tabs, user);
      const offset = between(trial.random, -MAX_OFFSET_MS, MAX_OFFSET_MS + 1);

      const duringFailover = trial.random() < 0.5;
      let raceStart: number;
      let logoutAt: number;
      if (duringFailover) {
        const follower = pick(
          trial.random,
          tabs.filter((tab) => tab !== leader),
        );
        const crash = trial.random() < 0.5;
        raceStart = Date.now();
        [logoutAt] = await race(
          offset,
          () => follower.logout(),
          () => (crash ? leader.crash() : leader.close()),
        );
      } else {
        await waitForReconnecting(server, leader, user);
        const retrying = pick(trial.random, tabs);
        const loggingOut = pick(
          trial.random,
          tabs.filter((tab) => tab !== retrying),
        );
        server.acceptConnects();
        raceStart = Date.now();
        [, logoutAt] = await race(
          offset,
          () => retrying.retry(),
          () => loggingOut.logout(),
        );
      }
      const remaining = [...lane.tabs];
      try {
        await waitUntil(
          'every tab signed out and no stream',
          async () => ({
            phases: await Promise.all(remaining.map(async (tab) => (await tab.status()).phase)),
            streams: server.hub.stats().streamsByUser[user] ?? 0,
          }),
          ({ phases, streams }) => streams === 0 && phases.every((phase) => phase === 'signedOut'),
        );
      } catch (error) {
        trial.fail(`not quiet after the logout: ${(error as Error).message.slice(0, 300)}`);
      }
      for (const attempt of server.connectsOf(user, raceStart)) {
        trial.observe(
          `connect in a ${duringFailover ? 'failover' : 'retry'} race, ms after the logout`,
          attempt.at - logoutAt,
        );
      }
      if (environment.selfCheck) await connectLate(server, remaining[0]!, user, logoutAt);
      const logout = { trial, user, at: logoutAt, reported: 0 };
      logouts.push(logout);
      reportLateConnects(logout);
      await lane.reportErrors(trial);
    },
    async close() {
      for (const logout of logouts) reportLateConnects(logout);
      await lane.close();
    },
  };
}

/** Makes the leader's stream fail and every reconnect be refused, until it is in backoff. */
async function waitForReconnecting(server: TestServer, leader: Tab, user: string): Promise<void> {
  const since = Date.now();
  server.refuseConnects({ status: 503 });
  server.dropStreams();
  await waitUntil(
    'the leader reconnecting after a refused connect',
    async () => ({
      refused: server.connectsOf(user, since).some((attempt) => attempt.refused),
      phase: (await leader.status()).phase,
    }),
    ({ refused, phase }) => refused && phase === 'reconnecting',
  );
}

/** The self-check's fault: a stream opened for the user after the slack, then closed. */
async function connectLate(server: TestServer, tab: Tab, user: string, logoutAt: number) {
  await sleep(Math.max(0, logoutAt + LOGOUT_CONNECT_SLACK_MS + 1 - Date.now()));
  await tab.page.evaluate(
    (topic) =>
      new Promise<void>((resolve) => {
        const source = new EventSource(`/events?topics=${topic}&clientId=self-check`);
        source.onopen = source.onerror = () => {
          source.close();
          resolve();
        };
      }),
    TOPIC,
  );
  await server.waitForConnects('the self-check connect', logoutAt, (attempts) =>
    attempts.some((attempt) => attempt.user === user && attempt.clientId === 'self-check'),
  );
}
