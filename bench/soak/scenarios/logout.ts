/**
 * (c) A logout racing the moment a connect could start — in a follower at the instant the leader
 * closes (or its renderer crashes), or in one tab as another asks for `retry()` while the leader
 * waits to reconnect: no tab starts a connect once it has heard the logout, the server sees no
 * connect request of the user that a round trip after the logout does not explain
 * (`lateConnects`), and once quiet every tab is signed out with no stream left.
 *
 * Every trial signs the lane's tabs in as a new user (a new tab takes a gone leader's place), so
 * the connect log of each trial's user is that trial's alone; the lane checks it once more when
 * it closes, for a connect that came later still.
 */
import type { Tab } from '../../../test/browser/support/browser.js';
import type { RecordedConnect } from '../../../test/browser/support/page-api.js';
import { expectOneStream } from '../../../test/browser/support/suite.js';
import type { TestServer } from '../../../test/browser/support/test-server.js';
import { sleep, waitUntil } from '../../../test/browser/support/wait.js';
import { type ConnectLog, connectsAfterSignOut, lateConnects, ROUND_TRIP_MS } from '../checks.js';
import {
  between,
  type Lane,
  LaneResources,
  pick,
  type SoakEnvironment,
  streamOutsideTabcast,
  type Trial,
  type Variant,
  waitForSignedOut,
  waitForStreams,
} from '../lane.js';

const TABS = 3;
/** The two actions of a race start at most this far apart, in either order. */
const MAX_OFFSET_MS = 10;

interface Logout extends Omit<ConnectLog, 'attempts'> {
  trial: Trial;
  user: string;
  /** The race, in words, for a violation's message. */
  race: string;
  /** The client id the leader streamed with before the race. */
  leaderClientId: string | null;
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
    const late = lateConnects({ ...logout, attempts: server.connectsOf(logout.user) });
    for (const attempt of late.slice(logout.reported)) {
      const who = attempt.clientId === logout.leaderClientId ? 'the leader' : 'a tab';
      logout.trial.fail(
        `a connect no tab started while signed in, from ${who} ` +
          `(${attempt.refused ? 'refused' : `status ${attempt.status}`}), reached the server ` +
          `${attempt.at - logout.calledAt} ms after the logout (round trip ${ROUND_TRIP_MS} ms); ` +
          logout.race,
      );
    }
    logout.reported = late.length;
  };

  return {
    async run(trial: Trial) {
      const user = `${name}-${trial.number}`;
      const trialStart = Date.now();
      await Promise.all([
        ...lane.tabs.map((tab) => tab.login(user)),
        ...Array.from({ length: TABS - lane.tabs.length }, () =>
          profile.openTab(lane.tabOptions(user)),
        ),
      ]);
      const tabs = [...lane.tabs];
      await waitForStreams(server, user, 1);
      const leader = await expectOneStream(server, tabs, user);
      const leaderClientId = server.connectsOf(user).at(-1)?.clientId ?? null;
      const offset = between(trial.random, -MAX_OFFSET_MS, MAX_OFFSET_MS + 1);

      const duringFailover = trial.random() < 0.5;
      let raceStart: number;
      let calledAt: number;
      let described: string;
      if (duringFailover) {
        const follower = pick(
          trial.random,
          tabs.filter((tab) => tab !== leader),
        );
        const crash = trial.random() < 0.5;
        described = `${follower.name} logged out, the leader ${leader.name} ${crash ? 'crashed' : 'closed'} ${offset} ms later`;
        raceStart = Date.now();
        [calledAt] = await race(
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
        described = `${retrying.name} asked for a retry, ${loggingOut.name} logged out ${offset} ms later (the leader ${leader.name} in backoff)`;
        server.acceptConnects();
        raceStart = Date.now();
        [, calledAt] = await race(
          offset,
          () => retrying.retry(),
          () => loggingOut.logout(),
        );
      }
      const remaining = [...lane.tabs];
      try {
        await waitForSignedOut(server, remaining, user);
      } catch (error) {
        trial.fail(`not quiet after the logout: ${(error as Error).message.slice(0, 300)}`);
      }
      const kind = duringFailover ? 'failover' : 'retry';
      const started: RecordedConnect[] = [];
      for (const tab of remaining) {
        const connects = (await tab.connects()).filter((connect) => connect.at >= trialStart);
        for (const connect of connectsAfterSignOut(connects)) {
          trial.fail(
            `${tab.name} started a connect ${connect.at - calledAt} ms after the logout, ` +
              `signed out by then; ${described}`,
          );
        }
        started.push(...connects);
        const heardAt = await signedOutSince(tab, raceStart);
        if (heardAt !== null)
          trial.observe('logout heard in a tab, ms after the call', heardAt - calledAt);
      }
      for (const connect of started.filter((start) => start.at >= raceStart)) {
        trial.observe(
          `connect started in a ${kind} race, ms after the logout`,
          connect.at - calledAt,
        );
      }
      for (const attempt of server.connectsOf(user, raceStart)) {
        trial.observe(
          `connect logged in a ${kind} race, ms after the logout`,
          attempt.at - calledAt,
        );
      }
      const logout = {
        trial,
        user,
        calledAt,
        started,
        race: described,
        leaderClientId,
        reported: 0,
      };
      if (environment.selfCheck) await connectLate(server, remaining[0]!, user, calledAt);
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

/** When `tab` reported itself signed out, after `since` (its page clock); null if it did not. */
function signedOutSince(tab: Tab, since: number): Promise<number | null> {
  return tab.page.evaluate(
    (after) =>
      window.harness.record.statuses.find(
        (status) => status.phase === 'signedOut' && status.at >= after,
      )?.at ?? null,
    since,
  );
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

/**
 * The self-check's fault: a stream opened for the user, from outside tabcast, a round trip after
 * the logout, then closed.
 */
async function connectLate(server: TestServer, tab: Tab, user: string, calledAt: number) {
  await sleep(Math.max(0, calledAt + ROUND_TRIP_MS + 1 - Date.now()));
  await streamOutsideTabcast(tab);
  await server.waitForConnects('the self-check connect', calledAt, (attempts) =>
    attempts.some((attempt) => attempt.user === user && attempt.clientId === 'self-check'),
  );
}
