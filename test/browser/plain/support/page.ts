/**
 * The plain test tab: creates EventSources on request and records, per source, every event it
 * dispatches with the `readyState` seen in the listener. `?impl=native|shared` picks the
 * constructor (`window.EventSource` or `window.SharedEventSource`); see `implementations.ts`.
 * Bundled by `global-setup.ts`, served at `/plain.html` by `PlainServer`.
 */
import { SharedEventSource } from '../../../../src/index.js';
import type { Implementation } from './implementations.js';
import type { CloseWhen, OpenOptions, PlainHarness, SourceEntry } from './page-api.js';

const LONGEST_DATA_KEPT = 4096;

function pickConstructor(implementation: Implementation): typeof EventSource {
  if (implementation === 'native') return window.EventSource;
  // The page drives both through the `EventSource` interface, which SharedEventSource mirrors.
  const Shared = SharedEventSource as unknown as typeof EventSource;
  window.SharedEventSource = Shared;
  return Shared;
}

function entryOf(event: Event, source: EventSource): SourceEntry {
  const entry: SourceEntry = {
    type: event.type,
    readyState: source.readyState,
    eventClass: event.constructor.name,
    isTrusted: event.isTrusted,
    bubbles: event.bubbles,
    cancelable: event.cancelable,
  };
  if (event instanceof MessageEvent) {
    const data = String(event.data);
    entry.data = data.length <= LONGEST_DATA_KEPT ? data : `${data.slice(0, 64)}…`;
    entry.dataLength = data.length;
    entry.lastEventId = event.lastEventId;
    entry.origin = event.origin;
  }
  return entry;
}

function matches(entry: SourceEntry, when: CloseWhen): boolean {
  return (
    (when.type === undefined || entry.type === when.type) &&
    (when.data === undefined || entry.data === when.data) &&
    (when.readyState === undefined || entry.readyState === when.readyState)
  );
}

const params = new URLSearchParams(location.search);
const implementation: Implementation = params.get('impl') === 'shared' ? 'shared' : 'native';
const errors: string[] = [];
window.addEventListener('error', (event) => errors.push(`page error: ${event.message}`));
window.addEventListener('unhandledrejection', (event) =>
  errors.push(`unhandled rejection: ${String(event.reason)}`),
);

const Constructor = pickConstructor(implementation);
const sources = new Map<string, { source: EventSource; entries: SourceEntry[] }>();

function sourceOf(key: string) {
  const found = sources.get(key);
  if (!found) throw new Error(`no source named ${key}`);
  return found;
}

function open(key: string, url: string, options: OpenOptions = {}) {
  if (sources.has(key)) throw new Error(`a source named ${key} exists already`);
  const source = new Constructor(url, options.init);
  const entries: SourceEntry[] = [];
  sources.set(key, { source, entries });
  let matched = 0;
  const record = (event: Event) => {
    const entry = entryOf(event, source);
    entries.push(entry);
    const when = options.closeWhen;
    if (when && matches(entry, when) && ++matched === (when.count ?? 1)) source.close();
  };
  source.onopen = record;
  source.onerror = record;
  if (options.messageVia === 'listener') source.addEventListener('message', record);
  else source.onmessage = record;
  for (const type of options.listen ?? []) source.addEventListener(type, record);
  return {
    url: source.url,
    readyState: source.readyState,
    withCredentials: source.withCredentials,
  };
}

const harness: PlainHarness = {
  ready: false,
  implementation,
  EventSource: Constructor,
  open,
  entries: (key) => sourceOf(key).entries,
  readyState: (key) => sourceOf(key).source.readyState,
  close: (key) => sourceOf(key).source.close(),
  closeAll() {
    for (const { source } of sources.values()) source.close();
    sources.clear();
  },
  errors,
};

window.plain = harness;
document.title = `plain tab (${implementation})`;
harness.ready = true;
