-- ARGV: cid, uid, name, instance, status, lease expiry (ms), now (ms), max connections of a user (0: no limit)
-- Returns {1 if the user just came online (user_online to send) else 0, merged status},
-- or {-1, count} when the user already has the maximum number of connections.
-- Registering a connection again (after Redis lost its data) is allowed and changes nothing else.
local cid, uid = ARGV[1], ARGV[2]
local conns = 'sb:user:' .. uid .. ':conns'
local max = tonumber(ARGV[8])
if max > 0 and redis.call('SISMEMBER', conns, cid) == 0 then
  local count = redis.call('SCARD', conns)
  if count >= max then return { -1, tostring(count) } end
end
redis.call('HSET', 'sb:conn:' .. cid, 'user', uid, 'name', ARGV[3], 'instance', ARGV[4], 'status', ARGV[5], 'since', ARGV[7])
redis.call('ZADD', 'sb:leases', ARGV[6], cid)
redis.call('SADD', conns, cid)
redis.call('ZREM', 'sb:pending', 'offline\n' .. uid)
local status = merged_status(uid)
redis.call('HSET', 'sb:user:' .. uid, 'name', ARGV[3], 'status', status)
return { redis.call('SADD', 'sb:online', uid), status }
