/** Every error tabcast reports has a `code`, so apps branch on it instead of on message text. */
export type TabcastErrorCode =
  | 'invalid_option'
  | 'invalid_topic'
  | 'invalid_event_name'
  | 'disposed'
  | 'parse_error'
  | 'handler_error'
  | 'rejected';

export class TabcastError extends Error {
  /** The class's own name, written out: a minifier may rename the class itself. */
  override readonly name: string = 'TabcastError';
  constructor(
    readonly code: TabcastErrorCode,
    message: string,
    /** What was thrown underneath, if anything. */
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/**
 * An app callback (a handler, `resync`, `error` or a status listener) threw. Reported to
 * `onError`; the other callbacks still run and the connection is not affected.
 */
export class TabcastHandlerError extends TabcastError {
  override readonly name = 'TabcastHandlerError';
  constructor(
    /** Which callback threw: an event name, `resync`, `error` or `status`. */
    readonly callback: string,
    cause: unknown,
  ) {
    super('handler_error', `tabcast: the ${callback} callback threw`, cause);
  }
}

/**
 * Event data that could not be decoded (not the companion's JSON envelope) or that the event's
 * `parse` rejected. Delivered to the subscription's `error` callback, never thrown.
 */
export class TabcastParseError extends TabcastError {
  override readonly name = 'TabcastParseError';
  constructor(
    message: string,
    /** The SSE event name the data arrived under. */
    readonly event: string,
    /** The SSE id of the event, if it had one. */
    readonly id: string | null,
    /** What the parser threw, if it threw. */
    cause?: unknown,
  ) {
    super('parse_error', message, cause);
  }
}
