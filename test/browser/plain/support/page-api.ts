/**
 * What the plain test page (`page.ts`) exposes on `window`, shared by the page and the page
 * objects that drive it.
 */
import type { Implementation } from './implementations.js';

/** One event a source dispatched, sampled inside its listener. */
export interface SourceEntry {
  /** The event's `type`: `open`, `error`, `message` or a named event. */
  type: string;
  /** `readyState` of the source when the listener ran. */
  readyState: number;
  /** `Event` or `MessageEvent`: the constructor's name. */
  eventClass: string;
  isTrusted: boolean;
  bubbles: boolean;
  cancelable: boolean;
  /** For a MessageEvent: its data, whole up to 4096 characters, else the start of it and '…'. */
  data?: string;
  dataLength?: number;
  lastEventId?: string;
  origin?: string;
}

/** Which entry makes the page call `close()`, inside that entry's own listener. */
export interface CloseWhen {
  type?: string;
  data?: string;
  readyState?: number;
  /** The how-manieth matching entry. @default 1 */
  count?: number;
}

export interface OpenOptions {
  /** The constructor's second argument. */
  init?: Record<string, unknown>;
  /** Named events listened to with `addEventListener`. */
  listen?: string[];
  /** How `message` events are listened to. @default 'handler' (`onmessage`) */
  messageVia?: 'handler' | 'listener';
  closeWhen?: CloseWhen;
}

/** The source's attributes right after construction. */
export interface OpenedSource {
  url: string;
  readyState: number;
  withCredentials: boolean;
}

export interface PlainHarness {
  ready: boolean;
  implementation: Implementation;
  /** The constructor this page uses. */
  EventSource: typeof EventSource;
  /** Creates a source under `key` that records everything it dispatches. */
  open(key: string, url: string, options?: OpenOptions): OpenedSource;
  entries(key: string): SourceEntry[];
  readyState(key: string): number;
  close(key: string): void;
  /** Closes every source of the page and forgets them (their keys are free again). */
  closeAll(): void;
  /** Uncaught errors and rejections of the page, as text. */
  errors: string[];
}

declare global {
  interface Window {
    plain: PlainHarness;
    /** Set by the page when it runs the shared implementation (`?impl=shared`). */
    SharedEventSource?: typeof EventSource;
  }
}
