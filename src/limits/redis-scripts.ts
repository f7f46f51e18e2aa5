/**
 * The Lua scripts of the Redis LimitStore. Each reserve and each refund is one script, so it is atomic
 * across replicas, and reads the Redis server's clock (`TIME`) so replicas' clock skew does not matter
 * (reference gateway-patterns §4.1, TensorZero's pattern). Per-minute limits are sliding logs (a sorted
 * set of `<reservation id>:<amount>` members scored by time, with a running total in `<key>:sum`, so a
 * reservation costs O(log n), not a scan of the window); budgets are counters per UTC day/month.
 * The `:sum` companion is derived from the declared key: one Redis (or primary), not Redis Cluster.
 *
 * Versioning for rolling deploys: scripts are sent by their content hash (EVALSHA), so replicas of an
 * older and a newer release each run their own script side by side; the key layout carries
 * LIMIT_SCRIPT_VERSION. A script change that keeps the layout keeps the version (both releases share the
 * counters); a layout change bumps it, and the two releases then count separately until the old
 * replicas are gone, instead of misreading each other's keys.
 */

export const LIMIT_SCRIPT_VERSION = 'v1';

/** Lua: `civil(days since the epoch)` → year, month, day (UTC), H. Hinnant's civil-from-days; the usage
 *  ledger's script names its day with it too. */
export const civilFromDaysLua = `
local function civil(days)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end
`;

/** Shared helpers: server time in ms and UTC calendar windows (days-from-civil, H. Hinnant). */
const prelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local DAY = 86400000
${civilFromDaysLua}local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = m > 2 and m - 3 or m + 9
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  return era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
end
-- kind 1 = UTC day, 2 = UTC month: the window's id and end (ms)
local function calendar(kind)
  local days = math.floor(now / DAY)
  local y, m, d = civil(days)
  if kind == 1 then return string.format('%04d%02d%02d', y, m, d), (days + 1) * DAY end
  local ny, nm = y, m + 1
  if nm == 13 then ny, nm = y + 1, 1 end
  return string.format('%04d%02d', y, m), days_from_civil(ny, nm, 1) * DAY
end
local function amount_of(member)
  return tonumber(string.match(member, ':(%d+)$'))
end
`;

/**
 * KEYS: one base key per charge. ARGV: reservation id, then per charge kind (0 sliding, 1 day, 2 month),
 * window ms, amount, limit. Returns {1, slot…} when every charge fits (and records them all), else
 * {0, index of the first charge that does not fit, ms until it would (-1 never)}.
 */
export const reserveScript = `${prelude}
local id = ARGV[1]
local n = #KEYS
local slots = {}
for i = 1, n do
  local base = 1 + (i - 1) * 4
  local kind, win, amount, limit = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
  if kind == 0 then
    local key = KEYS[i]
    local sumkey = key .. ':sum'
    -- Entries leaving the window take their amount out of the running total (amortised O(1) each).
    local expired = redis.call('ZRANGEBYSCORE', key, '-inf', now - win)
    if #expired > 0 then
      local gone = 0
      for j = 1, #expired do gone = gone + amount_of(expired[j]) end
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - win)
      redis.call('DECRBY', sumkey, gone)
    end
    local used = tonumber(redis.call('GET', sumkey) or '0')
    if used + amount > limit then
      if amount > limit then return {0, i, -1} end
      -- When enough of the oldest entries leave; looked up among the oldest 1000 only (else a window).
      local retry = win
      local entries = redis.call('ZRANGE', key, 0, 999, 'WITHSCORES')
      for j = 1, #entries, 2 do
        used = used - amount_of(entries[j])
        if used + amount <= limit then
          retry = math.max(1, tonumber(entries[j + 1]) + win - now)
          break
        end
      end
      return {0, i, retry}
    end
    slots[i] = key
  else
    local wid, ends = calendar(kind)
    local key = KEYS[i] .. ':' .. wid
    local used = tonumber(redis.call('GET', key) or '0')
    if used + amount > limit then
      if amount > limit then return {0, i, -1} end
      return {0, i, ends - now}
    end
    slots[i] = key
  end
end
local out = {1}
for i = 1, n do
  local base = 1 + (i - 1) * 4
  local kind, win, amount = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  if kind == 0 then
    redis.call('ZADD', slots[i], now, id .. ':' .. string.format('%d', amount))
    redis.call('INCRBY', slots[i] .. ':sum', amount)
    redis.call('PEXPIRE', slots[i], win * 2)
    redis.call('PEXPIRE', slots[i] .. ':sum', win * 2)
  else
    local _, ends = calendar(kind)
    redis.call('INCRBY', slots[i], amount)
    redis.call('PEXPIREAT', slots[i], ends + DAY)
  end
  out[i + 1] = slots[i]
end
return out
`;

/**
 * KEYS: the slots a reservation returned. ARGV: reservation id, then per charge kind, amount reserved,
 * amount to give back. Entries that already left their window are not touched.
 */
export const refundScript = `
local id = ARGV[1]
for i = 1, #KEYS do
  local base = 1 + (i - 1) * 3
  local kind, amount, back = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  if back > 0 then
    if kind == 0 then
      local member = id .. ':' .. string.format('%d', amount)
      local score = redis.call('ZSCORE', KEYS[i], member)
      if score then
        redis.call('ZREM', KEYS[i], member)
        if amount - back > 0 then redis.call('ZADD', KEYS[i], score, id .. ':' .. string.format('%d', amount - back)) end
        redis.call('DECRBY', KEYS[i] .. ':sum', back)
      end
    elseif redis.call('EXISTS', KEYS[i]) == 1 then
      local left = redis.call('DECRBY', KEYS[i], back)
      if left < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
    end
  end
end
return 1
`;
