import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLeaseSweeper, type LeaseSweeper } from '../../src/jobs/lease-sweeper.js';
import type { JobStore } from '../../src/jobs/job-store.js';
import { createMemoryJobStore } from '../../src/jobs/memory-job-store.js';

describe('lease sweeper', () => {
  let sweeper: LeaseSweeper | undefined;
  afterEach(() => sweeper?.stop());

  it('interrupts a job whose replica stopped renewing, on its own timer, and reports it once', async () => {
    const store = createMemoryJobStore({ retentionMs: 60_000 });
    const created = await store.create({ owner: 'alice', replicaId: 'dead', leaseMs: 200 });
    if (created.kind !== 'created') throw new Error(created.kind);
    await store.start(created.job.id, 'dead');
    const onInterrupted = vi.fn();
    sweeper = startLeaseSweeper(store, { intervalMs: 50, onInterrupted });
    await vi.waitFor(() => expect(onInterrupted).toHaveBeenCalledWith([created.job.id]), { timeout: 5_000 });
    expect((await store.get('alice', created.job.id))?.state).toBe('interrupted');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(onInterrupted).toHaveBeenCalledTimes(1);
  });

  it('runs one sweep at a time and reports a failing store without stopping', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const store = {
      interruptExpiredLeases: () => {
        calls++;
        if (calls === 1) return new Promise<readonly string[]>((resolve) => (release = () => resolve([])));
        return Promise.reject(new Error('redis down'));
      },
    } as unknown as JobStore;
    const onError = vi.fn();
    sweeper = startLeaseSweeper(store, { intervalMs: 50, onError });
    const first = sweeper.sweepNow();
    // Ticks while the first sweep hangs start nothing new.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sweeper.sweepNow()).toBe(first);
    expect(calls).toBe(1);
    release();
    await first;
    // Later ticks run again; their failure is reported, and the timer keeps going.
    await vi.waitFor(() => expect(onError.mock.calls.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    expect(onError).toHaveBeenCalledWith(new Error('redis down'));
  });
});
