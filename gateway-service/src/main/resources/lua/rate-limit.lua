-- A token bucket per user, shared by every gateway instance.
-- KEYS[1] the bucket (hash: tokens, at). ARGV[1] tokens per second, ARGV[2] burst, ARGV[3] now (ms),
-- ARGV[4] how many tokens the caller would like at once (a lease it spends itself; 1 when absent).
-- Returns the number of tokens taken: up to ARGV[4], as many as the bucket holds; 0 when the user is
-- over the limit.
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local want = tonumber(ARGV[4]) or 1
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if not tokens then tokens, at = burst, now end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) at = now end
local taken = math.min(want, math.floor(tokens))
tokens = tokens - taken
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return taken
