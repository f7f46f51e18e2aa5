/**
 * Whether the process is serving or shutting down, shared by gRPC health and REST readiness: once
 * shutdown begins, both report not-serving so load balancers drain the instance (DESIGN §7).
 */
export interface Lifecycle {
  /** True until shutdown begins. */
  readonly serving: boolean;
  /** Flips to not-serving and notifies listeners; idempotent. */
  beginShutdown(): void;
  /** Called once when shutdown begins (immediately when it already has). */
  onShutdown(listener: () => void): void;
}

export function createLifecycle(): Lifecycle {
  let serving = true;
  const listeners: (() => void)[] = [];
  return {
    get serving() {
      return serving;
    },
    beginShutdown() {
      if (!serving) return;
      serving = false;
      for (const listener of listeners.splice(0)) listener();
    },
    onShutdown(listener) {
      if (serving) listeners.push(listener);
      else listener();
    },
  };
}
