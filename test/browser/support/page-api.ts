/**
 * What the test page (`page.ts`) exposes on `window`, shared by the page and the page objects
 * that drive it, so both sides agree on one typed shape.
 */
import type { Tabcast, TabcastDiagnostics, TabcastStatus } from '../../../src/index.js';

/** One event as a subscriber of the page received it. */
export interface DeliveredEvent {
  topic: string;
  event: string;
  id: string | null;
  data: unknown;
  /** Wall-clock ms in the page. */
  at: number;
}

export interface RecordedResync {
  topic: string;
  at: number;
}

export type RecordedStatus = TabcastStatus & { at: number };

/** A request tabcast started to the stream endpoint: an EventSource, a fetch, a status probe. */
export interface RecordedConnect {
  url: string;
  /** Wall-clock ms in the page, as the request was started. */
  at: number;
  /** The tab's phase then: `signedOut` means it connected after it had left the scope. */
  phase: TabcastStatus['phase'];
}

/** Everything the page saw, in order, for the tests to assert on. */
export interface PageRecord {
  events: DeliveredEvent[];
  resyncs: RecordedResync[];
  statuses: RecordedStatus[];
  connects: RecordedConnect[];
  /** Parse errors and page errors, as text. */
  errors: string[];
}

/** The hooks a test calls in the page (through `page.evaluate`). */
export interface PageHarness {
  /** Set once tabcast is created (and, with `?user=`, signed in). */
  ready: boolean;
  record: PageRecord;
  /** Subscribes to `topic` with a handler for every event name of `?events=`. */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** The topics this page subscribes to now. */
  topics(): string[];
  /** Sets the `user` cookie (and, with the fetch transport, gets a token), then logs in. */
  login(user: string): Promise<void>;
  /** Calls `logout()`; returns when (page wall-clock ms), to compare with the server's log. */
  logout(): number;
  retry(): void;
  status(): TabcastStatus;
  diagnostics(): TabcastDiagnostics;
}

declare global {
  interface Window {
    tabcast: Tabcast;
    harness: PageHarness;
  }
}
