/** Every error tabcast reports has a `code`, so apps branch on it instead of on message text. */
export type TabcastErrorCode =
  | 'invalid_option'
  | 'invalid_topic'
  | 'invalid_event_name'
  | 'not_signed_in'
  | 'disposed'
  | 'parse_error'
  | 'rejected';

export class TabcastError extends Error {
  override readonly name = 'TabcastError';
  constructor(
    readonly code: TabcastErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Event data that could not be decoded (not the companion's JSON envelope) or that the event's
 * `parse` rejected. Delivered to the subscription's `error` callback, never thrown.
 */
export class TabcastParseError extends TabcastError {
  constructor(
    message: string,
    /** The SSE event name the data arrived under. */
    readonly event: string,
    /** The SSE id of the event, if it had one. */
    readonly id: string | null,
    /** What the parser threw, if it threw. */
    override readonly cause?: unknown,
  ) {
    super('parse_error', message);
  }
}
