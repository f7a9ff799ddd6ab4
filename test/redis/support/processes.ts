/** Starts hub processes (`hub-process.ts`) on one Redis namespace. */
import { ChildScript } from '../../support/child-script.js';
import type { HubProcessConfig, HubProcessReply, HubProcessRequest } from './hub-process.js';

export interface HubProcess {
  readonly child: ChildScript<HubProcessRequest, HubProcessReply>;
  readonly origin: string;
  readonly port: number;
}

const SCRIPT = new URL('./hub-process.ts', import.meta.url);

/** `count` processes on `config`; `stop()` ends them all (each within 5 s, else killed). */
export async function startHubProcesses(
  count: number,
  config: HubProcessConfig,
): Promise<HubProcess[] & { stop: () => Promise<void> }> {
  process.env.TABCAST_TEST_CONFIG = JSON.stringify(config);
  const started = await Promise.all(
    Array.from({ length: count }, () =>
      ChildScript.start<HubProcessRequest, HubProcessReply, 'ready'>(SCRIPT, 'ready'),
    ),
  );
  delete process.env.TABCAST_TEST_CONFIG;
  const processes = started.map(({ child, ready }) => ({
    child,
    origin: `http://127.0.0.1:${ready.port}`,
    port: ready.port,
  }));
  const stop = async () => {
    await Promise.all(processes.map(({ child }) => child.stop({ type: 'stop' })));
  };
  return Object.assign(processes, { stop });
}
