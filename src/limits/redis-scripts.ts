// Lua for the Redis limiter: the arithmetic of sliding-window.ts, run inside Redis so that one
// script checks every rule of a request and counts all of them or none, atomically for every
// node. Time is Redis's own clock (TIME), so nodes with skewed clocks still share one window.
// Keys: a hash per rate rule (bucket index → count), a sorted set per concurrency rule
// (lease id → expiry ms).

/**
 * Claims of one account, checked and counted in order as if each were a script of its own: a claim
 * sees the counts of the claims before it. KEYS: every counter the claims touch, once. ARGV:
 * bucketMs, buckets, leaseMs, then per claim: leaseId, its number of rules, then per rule: the index
 * of its counter in KEYS, kind ('r' rate, 'c' concurrency), limit, cost. Returns {nowMs, bucket,
 * claim_1, …}, each claim {allowed, used_1, seen_1, …}: when the claim is allowed, seen is a rate
 * rule's oldest counted bucket (-1: none, and for concurrency rules); when it is denied, a rate
 * rule's every counted bucket as {index, count, …}, which the retry-after is read from. An allowed
 * claim — nearly every one — so answers in a few numbers, not in up to 120 per rule. Each counter is
 * read once and written once, whatever the number of claims.
 */
export const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucketMs = tonumber(ARGV[1])
local buckets = tonumber(ARGV[2])
local leaseMs = tonumber(ARGV[3])
local current = math.floor(now / bucketMs)
local oldest = current - buckets
local counters = {}
local function counter(k, kind)
  local c = counters[k]
  if c then return c end
  c = {kind = kind, sum = 0, counts = {}, added = 0, leases = 0}
  if kind == 'c' then
    redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now)
    c.sum = redis.call('ZCARD', KEYS[k])
  else
    local all = redis.call('HGETALL', KEYS[k])
    for j = 1, #all, 2 do
      local index = tonumber(all[j])
      local n = tonumber(all[j + 1])
      if index < oldest then
        redis.call('HDEL', KEYS[k], all[j])
      elseif n > 0 then
        c.sum = c.sum + n
        c.counts[index] = n
      end
    end
  end
  counters[k] = c
  return c
end
local out = {now, current}
local a = 4
while a <= #ARGV do
  local leaseId = ARGV[a]
  local rules = tonumber(ARGV[a + 1])
  local first = a + 2
  a = first + rules * 4
  local allowed = 1
  for r = 0, rules - 1 do
    local base = first + r * 4
    local c = counter(tonumber(ARGV[base]), ARGV[base + 1])
    local limit = tonumber(ARGV[base + 2])
    local cost = tonumber(ARGV[base + 3])
    if c.sum >= limit or c.sum + cost > limit then allowed = 0 end
  end
  local claim = {allowed}
  for r = 0, rules - 1 do
    local c = counters[tonumber(ARGV[first + r * 4])]
    claim[#claim + 1] = c.sum
    if c.kind == 'c' then
      claim[#claim + 1] = -1
    elseif allowed == 1 then
      local seen = -1
      for index in pairs(c.counts) do
        if seen < 0 or index < seen then seen = index end
      end
      claim[#claim + 1] = seen
    else
      local flat = {}
      for index, n in pairs(c.counts) do
        flat[#flat + 1] = index
        flat[#flat + 1] = n
      end
      claim[#claim + 1] = flat
    end
  end
  if allowed == 1 then
    for r = 0, rules - 1 do
      local base = first + r * 4
      local k = tonumber(ARGV[base])
      local c = counters[k]
      local cost = tonumber(ARGV[base + 3])
      if c.kind == 'c' then
        redis.call('ZADD', KEYS[k], now + leaseMs, leaseId)
        c.sum = c.sum + 1
        c.leases = c.leases + 1
      elseif cost > 0 then
        c.counts[current] = (c.counts[current] or 0) + cost
        c.sum = c.sum + cost
        c.added = c.added + cost
      end
    end
  end
  out[#out + 1] = claim
end
for k, c in pairs(counters) do
  if c.leases > 0 then redis.call('PEXPIRE', KEYS[k], leaseMs * 2) end
  if c.added > 0 then
    redis.call('HINCRBY', KEYS[k], current, c.added)
    redis.call('PEXPIRE', KEYS[k], math.ceil(bucketMs * (buckets + 2)))
  end
end
return out
`;

/**
 * Ends holds of one account. KEYS: every counter the holds touch, once. ARGV: bucketMs, buckets,
 * then per hold: the bucket it was counted in, delta, leaseId, its number of rate hashes (its tokens
 * rules) and of concurrency sets, then the indexes in KEYS of those hashes and of those sets. Adds
 * each hold's `delta` to its rate hashes' bucket (unless that bucket is already out of the window)
 * and removes its lease from its sets: corrections and releases in one round trip.
 */
export const END_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucketMs = tonumber(ARGV[1])
local buckets = tonumber(ARGV[2])
local oldest = math.floor(now / bucketMs) - buckets
local touched = {}
local a = 3
while a <= #ARGV do
  local bucket = ARGV[a]
  local delta = ARGV[a + 1]
  local leaseId = ARGV[a + 2]
  local rates = tonumber(ARGV[a + 3])
  local leases = tonumber(ARGV[a + 4])
  a = a + 5
  if tonumber(delta) ~= 0 and tonumber(bucket) >= oldest then
    for i = 0, rates - 1 do
      local k = tonumber(ARGV[a + i])
      local next = redis.call('HINCRBY', KEYS[k], bucket, delta)
      if next <= 0 then redis.call('HDEL', KEYS[k], bucket) end
      touched[k] = true
    end
  end
  a = a + rates
  for i = 0, leases - 1 do
    redis.call('ZREM', KEYS[tonumber(ARGV[a + i])], leaseId)
  end
  a = a + leases
end
for k in pairs(touched) do
  redis.call('PEXPIRE', KEYS[k], math.ceil(bucketMs * (buckets + 2)))
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
