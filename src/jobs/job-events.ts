/**
 * The `state` events both stores write on every transition, so a watcher learns how a job ended from
 * the log alone and knows when to stop.
 */
import { isTerminal, type JobError, type JobEvent, type JobState, type JsonObject } from './job-types.js';

export const stateEventType = 'state';

export function stateEventData(state: JobState, error?: JobError): JsonObject {
  return error === undefined ? { state } : { state, error: { reason: error.reason, message: error.message } };
}

/** True for the event that ends a job's log: nothing is appended after it. */
export function isTerminalStateEvent(event: JobEvent): boolean {
  const state = event.data['state'];
  return event.type === stateEventType && typeof state === 'string' && isTerminal(state as JobState);
}
