/**
 * A minimal `EventTarget` (it satisfies `EventTargetLike`): listeners by type, each added once,
 * and a listener removed during a dispatch is not called by that dispatch, as in the DOM.
 */
export class FakeEventTarget<TEvent extends { readonly type: string } = Event> {
  readonly #listeners = new Map<string, Set<(event: TEvent) => void>>();

  addEventListener(type: string, listener: (event: TEvent) => void): void {
    const listeners = this.#listeners.get(type) ?? new Set();
    listeners.add(listener);
    this.#listeners.set(type, listeners);
  }

  removeEventListener(type: string, listener: (event: TEvent) => void): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** How many listeners of `type` are registered: lets a test prove a cleanup removed them. */
  listenerCount(type: string): number {
    return this.#listeners.get(type)?.size ?? 0;
  }

  /** Calls every listener of `event.type`, in the order they were added. */
  dispatchEvent(event: TEvent): void {
    const listeners = this.#listeners.get(event.type);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      if (listeners.has(listener)) listener(event);
    }
  }
}
