-- ARGV: cid, uid, name, instance, status, lease expiry (ms), now (ms)
-- Returns {1 if the user just came online (user_online to send) else 0, merged status}
local cid, uid = ARGV[1], ARGV[2]
redis.call('HSET', 'sb:conn:' .. cid, 'user', uid, 'name', ARGV[3], 'instance', ARGV[4], 'status', ARGV[5], 'since', ARGV[7])
redis.call('ZADD', 'sb:leases', ARGV[6], cid)
redis.call('SADD', 'sb:user:' .. uid .. ':conns', cid)
redis.call('ZREM', 'sb:pending', 'offline\n' .. uid)
local status = merged_status(uid)
redis.call('HSET', 'sb:user:' .. uid, 'name', ARGV[3], 'status', status)
return { redis.call('SADD', 'sb:online', uid), status }
