/** Why a publish on a broker did not happen. */
export type PublishErrorCode =
  /** The broker stayed away and the publishes waiting for it reached the broker's bound. */
  | 'broker_unavailable'
  /** The broker refused the event (an error reply); retrying would not help. */
  | 'broker_error'
  /** The hub closed before the event could be published. */
  | 'closed';

/**
 * A publish on a broker that did not happen. `hub.publish` rejects with it; the rejection is
 * handled already, so an app that does not await never crashes on it.
 */
export class TabcastPublishError extends Error {
  /** Written out: a minifier may rename the class itself. */
  override readonly name = 'TabcastPublishError';
  constructor(
    readonly code: PublishErrorCode,
    message: string,
  ) {
    super(message);
  }
}
