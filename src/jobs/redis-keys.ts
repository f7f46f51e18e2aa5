/**
 * Where the Redis `JobStore` keeps things (the layout is documented in docs/jobs-design.md). Caller
 * names and idempotency keys are URI-encoded so a `:` inside them cannot make two keys collide.
 */
export interface RedisJobKeys {
  /** HASH: the job record's fields. The event stream and webhook list hang off this name. */
  job(id: string): string;
  /** STREAM: the job's events, entry ids `0-<seq>`. */
  events(id: string): string;
  /** LIST: JSON webhook attempts. */
  webhooks(id: string): string;
  /** HASH {job, fp}: an idempotency key of one caller. */
  idempotency(owner: string, key: string): string;
  /** ZSET (all scores 0, ordered by id): one caller's job ids. */
  owner(owner: string): string;
  /** ZSET: running and queued job ids scored by lease expiry (server ms). */
  readonly leases: string;
  /** Prefix of job hashes, for scripts that find a job by id. */
  readonly jobPrefix: string;
}

export function redisJobKeys(prefix: string): RedisJobKeys {
  const jobPrefix = `${prefix}job:`;
  return {
    job: (id) => jobPrefix + id,
    events: (id) => `${jobPrefix}${id}:events`,
    webhooks: (id) => `${jobPrefix}${id}:webhooks`,
    idempotency: (owner, key) => `${prefix}idem:${encodeURIComponent(owner)}:${encodeURIComponent(key)}`,
    owner: (owner) => `${prefix}owner:${encodeURIComponent(owner)}`,
    leases: `${prefix}leases`,
    jobPrefix,
  };
}
