/**
 * The Redis `JobStore`'s state transitions, one Lua script each, so every check-then-write is atomic
 * across replicas: two replicas racing on one idempotency key create one job, and a lease the sweeper
 * has expired can no longer be written through. Lease times use the Redis server's clock, so replicas
 * with skewed clocks agree on when a lease ran out. Scripts touch keys derived from a job's id (its
 * stream, its webhook list): they target one Redis server, not a cluster.
 */
import { redisScript } from './redis-script.js';

const prelude = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function is_open(state) return state == 'queued' or state == 'running' end
-- Appends one event with the next sequence number as its stream id (0-<seq>); the stream lives as
-- long as the job.
local function append(job_key, event_type, data, at)
  local seq = redis.call('HINCRBY', job_key, 'lastSeq', 1)
  local events_key = job_key .. ':events'
  redis.call('XADD', events_key, '0-' .. seq, 'type', event_type, 'data', data, 'at', at)
  redis.call('HSET', job_key, 'updatedAt', at)
  local ttl = redis.call('PTTL', job_key)
  if ttl > 0 then redis.call('PEXPIRE', events_key, ttl) end
  return seq
end
-- Extends a key's TTL, never shortens it (an owner index holds jobs of different ages).
local function keep_for(key, ms)
  local ttl = redis.call('PTTL', key)
  if ttl ~= -2 and ttl < ms then redis.call('PEXPIRE', key, ms) end
end
-- Ends a job: terminal state, lease released, every key of the job kept a full retention from now.
local function terminate(job_key, leases_key, id, state, event_data, at, retention, extra)
  redis.call('HSET', job_key, 'state', state, 'finishedAt', at, unpack(extra))
  redis.call('ZREM', leases_key, id)
  redis.call('PEXPIRE', job_key, retention)
  append(job_key, 'state', event_data, at)
  redis.call('PEXPIRE', job_key .. ':webhooks', retention)
  local idem = redis.call('HGET', job_key, 'idemRedisKey')
  if idem then redis.call('PEXPIRE', idem, retention) end
  keep_for(redis.call('HGET', job_key, 'ownerKey'), tonumber(retention))
end
local function rest(from)
  local out = {}
  for i = from, #ARGV do out[#out + 1] = ARGV[i] end
  return out
end
`;

const script = (body: string) => redisScript(prelude + body);

/** KEYS job, owner, leases[, idem]; ARGV id, jobPrefix, fingerprint, replica, leaseMs, retentionMs, at,
 *  queuedEventData, field, value, … → {'created'|'existing'|'conflict', jobId}. */
export const createJobScript = script(`
if #KEYS == 4 then
  local known = redis.call('HMGET', KEYS[4], 'job', 'fp')
  if known[1] and redis.call('EXISTS', ARGV[2] .. known[1]) == 1 then
    if known[2] == ARGV[3] then return {'existing', known[1]} end
    return {'conflict', known[1]}
  end
end
local lease_until = now_ms() + tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'leaseOwner', ARGV[4], 'leaseExpiresAt', lease_until, 'ownerKey', KEYS[2], unpack(rest(9)))
if #KEYS == 4 then
  redis.call('HSET', KEYS[1], 'idemRedisKey', KEYS[4])
  redis.call('HSET', KEYS[4], 'job', ARGV[1], 'fp', ARGV[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[6])
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
append(KEYS[1], 'state', ARGV[8], ARGV[7])
redis.call('ZADD', KEYS[3], lease_until, ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
keep_for(KEYS[2], tonumber(ARGV[6]))
return {'created', ARGV[1]}
`);

/** KEYS job; ARGV replica, at, runningEventData → 1 started, 0 not queued or not the holder. */
export const startJobScript = script(`
local s = redis.call('HMGET', KEYS[1], 'state', 'leaseOwner')
if s[1] ~= 'queued' or s[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'running', 'startedAt', ARGV[2])
append(KEYS[1], 'state', ARGV[3], ARGV[2])
return 1
`);

/** KEYS job, leases; ARGV id, replica, leaseMs → 'held' | 'cancel-requested' | 'lost'. */
export const renewLeaseScript = script(`
local s = redis.call('HMGET', KEYS[1], 'state', 'leaseOwner', 'cancelRequested')
if not is_open(s[1]) or s[2] ~= ARGV[2] then return 'lost' end
local lease_until = now_ms() + tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'leaseExpiresAt', lease_until)
redis.call('ZADD', KEYS[2], lease_until, ARGV[1])
if s[3] == '1' then return 'cancel-requested' end
return 'held'
`);

/** KEYS job; ARGV replica, type, data, at → seq, or nil when the job is not the replica's to write. */
export const appendEventScript = script(`
local s = redis.call('HMGET', KEYS[1], 'state', 'leaseOwner')
if not is_open(s[1]) or s[2] ~= ARGV[1] then return false end
return append(KEYS[1], ARGV[2], ARGV[3], ARGV[4])
`);

/** KEYS job, leases; ARGV id, replica, state, eventData, at, retentionMs, field, value, … → 1 | 0. */
export const finishJobScript = script(`
local s = redis.call('HMGET', KEYS[1], 'state', 'leaseOwner')
if not is_open(s[1]) or s[2] ~= ARGV[2] then return 0 end
terminate(KEYS[1], KEYS[2], ARGV[1], ARGV[3], ARGV[4], ARGV[5], ARGV[6], rest(7))
return 1
`);

/** KEYS job, leases; ARGV id, owner, cancelledEventData, at, retentionMs → 1 | 0 (no such job). */
export const requestCancelScript = script(`
local s = redis.call('HMGET', KEYS[1], 'state', 'owner')
if s[2] ~= ARGV[2] then return 0 end
if s[1] == 'queued' then
  terminate(KEYS[1], KEYS[2], ARGV[1], 'cancelled', ARGV[3], ARGV[4], ARGV[5], {})
elseif s[1] == 'running' then
  redis.call('HSET', KEYS[1], 'cancelRequested', '1')
end
return 1
`);

/** KEYS leases; ARGV jobPrefix, interruptedEventData, errorJson, at, retentionMs, batch → ids. */
export const interruptExpiredScript = script(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[6]))
local out = {}
for _, id in ipairs(due) do
  local job_key = ARGV[1] .. id
  if is_open(redis.call('HGET', job_key, 'state')) then
    terminate(job_key, KEYS[1], id, 'interrupted', ARGV[2], ARGV[4], ARGV[5], {'error', ARGV[3]})
    out[#out + 1] = id
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`);

/** KEYS job; ARGV id → 1 released | 0 (open job, no key, or the key names another job). */
export const releaseKeyScript = script(`
if is_open(redis.call('HGET', KEYS[1], 'state')) then return 0 end
local idem = redis.call('HGET', KEYS[1], 'idemRedisKey')
if not idem or redis.call('HGET', idem, 'job') ~= ARGV[1] then return 0 end
redis.call('DEL', idem)
return 1
`);

/** KEYS job, webhooks; ARGV attemptJson → 1 | 0 (job gone). */
export const recordWebhookAttemptScript = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`);
