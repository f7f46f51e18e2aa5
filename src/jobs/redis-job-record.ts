/**
 * Job records ⇄ the flat string fields of a Redis hash. Scalars are fields of their own so the Lua
 * scripts can check and change them; usage and error are JSON; webhook attempts live in a list.
 */
import type { JobError, JobEvent, JobRecord, JobState, JsonObject, WebhookAttempt } from './job-types.js';

/** The hash fields of a new job (`lastSeq`, lease and bookkeeping fields are set by the scripts). */
export function hashFieldsOfNewJob(record: JobRecord): string[] {
  const fields: [string, string | undefined][] = [
    ['id', record.id],
    ['owner', record.owner],
    ['state', record.state],
    ['createdAt', String(record.createdAt)],
    ['updatedAt', String(record.updatedAt)],
    ['cancelRequested', '0'],
    ['model', record.model],
    ['webhookUrl', record.webhookUrl],
    ['idempotencyKey', record.idempotencyKey],
  ];
  return fields.flatMap(([name, value]) => (value === undefined ? [] : [name, value]));
}

/** The hash fields a finished job gets (usage, error). */
export function hashFieldsOfOutcome(outcome: { usage?: JsonObject; error?: JobError }): string[] {
  return [
    ...(outcome.usage === undefined ? [] : ['usage', JSON.stringify(outcome.usage)]),
    ...(outcome.error === undefined ? [] : ['error', JSON.stringify(outcome.error)]),
  ];
}

const optionalNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/** The record of a job hash (HGETALL) and its webhook list (LRANGE), or undefined for an empty hash. */
export function jobFromHash(hash: Record<string, string>, webhookAttempts: readonly string[]): JobRecord | undefined {
  const { id, owner, state } = hash;
  if (id === undefined || owner === undefined || state === undefined) return undefined;
  const startedAt = optionalNumber(hash['startedAt']);
  const finishedAt = optionalNumber(hash['finishedAt']);
  const usage = hash['usage'];
  const error = hash['error'];
  return {
    id,
    owner,
    state: state as JobState,
    createdAt: Number(hash['createdAt']),
    updatedAt: Number(hash['updatedAt']),
    ...(startedAt !== undefined && { startedAt }),
    ...(finishedAt !== undefined && { finishedAt }),
    ...(hash['model'] !== undefined && { model: hash['model'] }),
    ...(hash['idempotencyKey'] !== undefined && { idempotencyKey: hash['idempotencyKey'] }),
    ...(hash['webhookUrl'] !== undefined && { webhookUrl: hash['webhookUrl'] }),
    cancelRequested: hash['cancelRequested'] === '1',
    ...(usage !== undefined && { usage: JSON.parse(usage) as JsonObject }),
    ...(error !== undefined && { error: JSON.parse(error) as JobError }),
    webhookAttempts: webhookAttempts.map((attempt) => JSON.parse(attempt) as WebhookAttempt),
    lastSeq: Number(hash['lastSeq'] ?? 0),
  };
}

/** A stream entry `[id, ['type', t, 'data', json, 'at', ms]]` (the order the append script writes) as a
 *  job event; the seq is the entry id's sequence part. */
export function jobEventFromStreamEntry([entryId, fields]: [string, string[]]): JobEvent {
  return {
    seq: Number(entryId.slice(entryId.indexOf('-') + 1)),
    type: fields[1] ?? '',
    data: JSON.parse(fields[3] ?? '{}') as JsonObject,
    at: Number(fields[5]),
  };
}
