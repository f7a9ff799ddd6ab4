/**
 * React 18 (in development) rethrows a render error inside a synthetic DOM event, for browsers
 * to report it as uncaught; React 19 does not. jsdom reports it to its virtual console, which
 * writes to the worker's stderr past vitest's console, so past the `vi.spyOn(console, 'error')`
 * of the tests that expect the throw. Send those reports to the test's console instead: silenced
 * where a test silences errors, shown under the test's name where it does not.
 */
import type { EventEmitter } from 'node:events';

interface JsdomError {
  type?: string;
  message: string;
  cause?: { stack?: string };
}

const { virtualConsole } = (globalThis as unknown as { jsdom: { virtualConsole: EventEmitter } })
  .jsdom;
virtualConsole.removeAllListeners('jsdomError');
virtualConsole.on('jsdomError', (error: JsdomError) => {
  console.error(error.type === 'unhandled-exception' ? error.cause?.stack : error.message);
});
