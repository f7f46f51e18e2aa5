/**
 * A cancellation signal for the core and the upstream client: what they use of an AbortSignal
 * (`aborted`, `reason`, the `abort` listener pair) and nothing else. `CancelController` is a plain-object
 * implementation for the signals the gateway creates per call and per attempt.
 *
 * Why not AbortController: on Node 20 creating one costs ~8 µs, adding and removing a listener on its
 * signal ~7 µs and aborting it ~10 µs (EventTarget machinery, an Event object per dispatch) — with one
 * controller per call, one per attempt and the listeners linking them and undici, that was ~50 µs of a
 * URL-mode call (bench/README.md, issue 15). A real AbortSignal still satisfies `CancelSignal`, so the
 * edges keep theirs (nice-grpc's, the REST connection's) and hand it down; undici accepts anything with
 * `addEventListener`/`removeEventListener` and `aborted`/`reason` as a request signal.
 */

/** The subset of AbortSignal the core and upstream clients read. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A controller that is its own signal. Listeners run once, in the order added, on the first `abort`. */
export class CancelController implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  get signal(): CancelSignal {
    return this;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }

  /** Like AbortSignal's: every listener is `once` (nothing here listens twice), none runs if already aborted. */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    const at = listeners.lastIndexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }

}
