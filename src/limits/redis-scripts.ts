// Lua for the Redis limiter: the arithmetic of sliding-window.ts, run inside Redis so that one
// script checks every rule of a request and counts all of them or none, atomically for every
// node. Time is Redis's own clock (TIME), so nodes with skewed clocks still share one window.
// Keys: a hash per rate rule (bucket index → count), a sorted set per concurrency rule
// (lease id → expiry ms).

/**
 * KEYS: one per rule. ARGV: bucketMs, buckets, leaseId, leaseMs, then per rule: kind ('r' rate,
 * 'c' concurrency), limit, cost. Returns {allowed, nowMs, bucket, used_1, seen_1, …}: when the claim
 * is allowed, seen is a rate rule's oldest counted bucket (-1: none, and for concurrency rules);
 * when it is denied, every counted bucket as {index, count, …}, which the retry-after is read from.
 * An allowed claim — nearly every one — so answers in a few numbers, not in up to 120 per rule.
 */
export const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucketMs = tonumber(ARGV[1])
local buckets = tonumber(ARGV[2])
local leaseId = ARGV[3]
local leaseMs = tonumber(ARGV[4])
local current = math.floor(now / bucketMs)
local oldest = current - buckets
local allowed = 1
local used = {}
local counted = {}
local first = {}
for i = 1, #KEYS do
  local base = 4 + (i - 1) * 3
  local kind = ARGV[base + 1]
  local limit = tonumber(ARGV[base + 2])
  local cost = tonumber(ARGV[base + 3])
  local sum = 0
  local flat = {}
  local seen = -1
  if kind == 'c' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
    sum = redis.call('ZCARD', KEYS[i])
  else
    local all = redis.call('HGETALL', KEYS[i])
    for j = 1, #all, 2 do
      local index = tonumber(all[j])
      local n = tonumber(all[j + 1])
      if index < oldest then
        redis.call('HDEL', KEYS[i], all[j])
      elseif n > 0 then
        sum = sum + n
        if seen < 0 or index < seen then seen = index end
        flat[#flat + 1] = index
        flat[#flat + 1] = n
      end
    end
  end
  if sum >= limit or sum + cost > limit then allowed = 0 end
  used[i] = sum
  counted[i] = flat
  first[i] = seen
end
if allowed == 1 then
  for i = 1, #KEYS do
    local base = 4 + (i - 1) * 3
    local kind = ARGV[base + 1]
    local cost = tonumber(ARGV[base + 3])
    if kind == 'c' then
      redis.call('ZADD', KEYS[i], now + leaseMs, leaseId)
      redis.call('PEXPIRE', KEYS[i], leaseMs * 2)
    elseif cost > 0 then
      redis.call('HINCRBY', KEYS[i], current, cost)
      redis.call('PEXPIRE', KEYS[i], math.ceil(bucketMs * (buckets + 2)))
    end
  end
end
local out = {allowed, now, current}
for i = 1, #KEYS do
  out[#out + 1] = used[i]
  if allowed == 1 then out[#out + 1] = first[i] else out[#out + 1] = counted[i] end
end
return out
`;

/**
 * Ends a request's hold. KEYS: the rate hashes of its tokens rules, then its concurrency sets.
 * ARGV: bucketMs, buckets, bucket, delta, the number of rate hashes, leaseId. Adds `delta` to each
 * rate hash's bucket (unless that bucket is already out of the window) and removes the lease from
 * each set: a correction and a release in one round trip.
 */
export const END_SCRIPT = `
local rates = tonumber(ARGV[5])
if rates > 0 and tonumber(ARGV[4]) ~= 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local bucketMs = tonumber(ARGV[1])
  local buckets = tonumber(ARGV[2])
  if tonumber(ARGV[3]) >= math.floor(now / bucketMs) - buckets then
    for i = 1, rates do
      local next = redis.call('HINCRBY', KEYS[i], ARGV[3], ARGV[4])
      if next <= 0 then redis.call('HDEL', KEYS[i], ARGV[3]) end
      redis.call('PEXPIRE', KEYS[i], math.ceil(bucketMs * (buckets + 2)))
    end
  end
end
for i = rates + 1, #KEYS do
  redis.call('ZREM', KEYS[i], ARGV[6])
end
return #KEYS
`;

/** KEYS: concurrency sets. ARGV: leaseId, leaseMs. Extends the lease where it is still held. */
export const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) * 2)
end
return #KEYS
`;
