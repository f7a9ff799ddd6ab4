/**
 * The broker's Lua scripts. Each runs atomically in Redis, so ids, stream entries, sticky values
 * and stream counts never disagree, whichever process runs them and however they interleave.
 *
 * Lua numbers are doubles: ids (about 1.7e15) are exact, but `tostring` would print them in
 * exponent form, so an id always goes from Redis to Lua and back as the string `GET` returns.
 */

/** The next id of the sequence (a string). Starts at Redis's clock in microseconds. */
const NEXT_ID = `
local function nextId(sequenceKey)
  if redis.call('EXISTS', sequenceKey) == 0 then
    local time = redis.call('TIME')
    redis.call('SET', sequenceKey, time[1] .. string.format('%06d', tonumber(time[2])))
  end
  redis.call('INCR', sequenceKey)
  return redis.call('GET', sequenceKey)
end
`;

/** The time in ms, from Redis's clock: every process compares leases against one clock. */
const NOW_MS = `
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;

/** Forgets a stream's lease, its user's count and its client slot. KEYS 1-4. */
const RELEASE = `
local function release(token)
  redis.call('ZREM', KEYS[1], token)
  local meta = redis.call('HGET', KEYS[2], token)
  if not meta then return end
  redis.call('HDEL', KEYS[2], token)
  local owner = cjson.decode(meta)
  if redis.call('HINCRBY', KEYS[3], owner[1], -1) <= 0 then redis.call('HDEL', KEYS[3], owner[1]) end
  if owner[2] ~= '' and redis.call('HGET', KEYS[4], owner[2]) == token then
    redis.call('HDEL', KEYS[4], owner[2])
  end
end

local function register(token, userKey, replacementKey, expiry)
  redis.call('ZADD', KEYS[1], expiry, token)
  redis.call('HSET', KEYS[2], token, cjson.encode({ userKey, replacementKey }))
  redis.call('HINCRBY', KEYS[3], userKey, 1)
end
`;

/**
 * Appends an event or a control entry. A retried publish (same process, same number) gets the
 * id of its first run instead of a second entry.
 * KEYS: sequence, events, sticky, publisher.
 * ARGV: maxLength, publishNumber, publisherTtlMs, stickyField ('' for none), then field/value
 * pairs of the entry.
 */
export const PUBLISH_SCRIPT = `${NEXT_ID}
local done = redis.call('HGET', KEYS[4], ARGV[2])
if done then return done end
local id = nextId(KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], id .. '-0', unpack(ARGV, 5))
if ARGV[4] ~= '' then
  local envelope
  for index = 5, #ARGV, 2 do
    if ARGV[index] == 'd' then envelope = ARGV[index + 1] end
  end
  redis.call('HSET', KEYS[3], ARGV[4], id .. '\\n' .. envelope)
end
redis.call('HSET', KEYS[4], ARGV[2], id)
-- Retries come within a batch of at most 512: older answers are not needed.
redis.call('HDEL', KEYS[4], tonumber(ARGV[2]) - 1024)
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return id
`;

/**
 * Admits a stream against the caps of every process, replacing its client's older stream.
 * Expired leases (a process that died) are collected first, a bounded number per call.
 * KEYS: leases, streams, users, clients, sequence, events.
 * ARGV: token, userKey, replacementKey ('' for none), maxStreams, maxStreamsPerUser (-1: no
 * cap), leaseMs, processId, maxLength.
 * Returns {'admitted', headId} or {'refused', 'user' | 'total'}.
 */
export const ADMIT_SCRIPT = `${NEXT_ID}${NOW_MS}${RELEASE}
local now = nowMs()
for _, expired in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 64)) do
  release(expired)
end
local token, userKey, replacementKey = ARGV[1], ARGV[2], ARGV[3]
local replaced = false
if replacementKey ~= '' then replaced = redis.call('HGET', KEYS[4], replacementKey) end
local freed = replaced and 1 or 0
local maxStreams, maxPerUser = tonumber(ARGV[4]), tonumber(ARGV[5])
local userCount = tonumber(redis.call('HGET', KEYS[3], userKey) or '0')
if maxPerUser >= 0 and userCount - freed >= maxPerUser then return { 'refused', 'user' } end
if maxStreams >= 0 and redis.call('ZCARD', KEYS[1]) - freed >= maxStreams then
  return { 'refused', 'total' }
end
if replaced then
  release(replaced)
  -- Another process holds it: tell that process through the sequence it reads.
  if string.sub(replaced, 1, #ARGV[7] + 1) ~= ARGV[7] .. ':' then
    local id = nextId(KEYS[5])
    redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[8], id .. '-0', 'c', 'replaced', 'k', replaced)
  end
end
register(token, userKey, replacementKey, now + tonumber(ARGV[6]))
if replacementKey ~= '' then redis.call('HSET', KEYS[4], replacementKey, token) end
return { 'admitted', redis.call('GET', KEYS[5]) or '0' }
`;

/**
 * Extends the leases of one process's streams; a stream Redis no longer knows (its data was lost,
 * or the lease ran out while the process was cut off) is counted again.
 * KEYS: leases, streams, users, clients. ARGV: leaseMs, then token, userKey, replacementKey ...
 */
export const RENEW_SCRIPT = `${NOW_MS}${RELEASE}
local expiry = nowMs() + tonumber(ARGV[1])
for index = 2, #ARGV, 3 do
  local token, userKey, replacementKey = ARGV[index], ARGV[index + 1], ARGV[index + 2]
  if redis.call('HEXISTS', KEYS[2], token) == 1 then
    redis.call('ZADD', KEYS[1], expiry, token)
  else
    register(token, userKey, replacementKey, expiry)
    if replacementKey ~= '' and redis.call('HEXISTS', KEYS[4], replacementKey) == 0 then
      redis.call('HSET', KEYS[4], replacementKey, token)
    end
  end
end
return 0
`;

/** Releases streams that ended. KEYS: leases, streams, users, clients. ARGV: tokens. */
export const RELEASE_SCRIPT = `${RELEASE}
for _, token in ipairs(ARGV) do release(token) end
return 0
`;
