/**
 * What a generation call goes through before and after its run (image-generator.ts): the concurrency
 * slot, then the caller's quotas and usage accounting when configured (src/usage/), then `onAdmitted`;
 * when it ends, accounting is settled before the slot is freed. The run itself calls `admit` first and
 * `end` last (run-generation.ts), so a call without hosting needs no generator layer around it for
 * this (≈ 2.5 KiB of garbage per call, issue 15); a hosted call wraps hosting and the run with it.
 */
import type { CallAccounting } from '../usage/call-accounting.js';
import type { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { GenerationPlan } from './plan-generation.js';
import type { GenerationEvent } from './types.js';

/** A call that was admitted. */
export interface AdmittedCall {
  /** Accounting's channel hook, when the call is accounted (it replaces the edge's). */
  readonly onChannel: ((requestIndex: number, channel: string) => void) | undefined;
  /** Every event the caller is given, as it is given (a `completed` among them makes the call a success). */
  observe(event: GenerationEvent): void;
  /** Settles accounting — failed unless `completed` was observed; never throws — then frees the slot;
   *  once, when the call ends. */
  end(): Promise<void>;
}

export interface AdmissionDeps {
  readonly limiter: ConcurrencyLimiter;
  readonly accounting: CallAccounting | undefined;
  readonly concurrencyOf: ((keyName: string) => number | undefined) | undefined;
}

/** Takes the slot (CONCURRENCY_LIMITED when none), begins accounting (RATE_LIMITED / QUOTA_EXCEEDED),
 *  then tells the edge. A refusal by accounting frees the slot again. */
export async function admitCall(deps: AdmissionDeps, keyName: string, plan: GenerationPlan, onAdmitted: (() => void) | undefined): Promise<AdmittedCall> {
  const release = deps.limiter.acquire(keyName, deps.concurrencyOf?.(keyName));
  const { accounting } = deps;
  if (accounting === undefined) {
    onAdmitted?.();
    return new UnaccountedCall(release);
  }
  let call;
  try {
    call = await accounting.begin(keyName, plan);
  } catch (error) {
    release();
    throw error;
  }
  onAdmitted?.();
  return new AccountedAdmission(call, release);
}

class UnaccountedCall implements AdmittedCall {
  readonly onChannel = undefined;
  constructor(private readonly release: () => void) {}
  observe(): void {}
  async end(): Promise<void> {
    this.release();
  }
}

class AccountedAdmission implements AdmittedCall {
  readonly onChannel: (requestIndex: number, channel: string) => void;
  private failed = true;
  constructor(
    private readonly call: Awaited<ReturnType<CallAccounting['begin']>>,
    private readonly release: () => void,
  ) {
    this.onChannel = call.onChannel;
  }

  observe(event: GenerationEvent): void {
    this.call.observe(event);
    if (event.type === 'completed') this.failed = false;
  }

  async end(): Promise<void> {
    try {
      await this.call.end(this.failed);
    } finally {
      this.release();
    }
  }
}
