-- ARGV: cid, uid, room. Returns 1 when user_joined is to be sent (the user was not in the room).
local cid, uid, room = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', 'sb:conn:' .. cid) == 0 then return redis.error_reply('NOCONN connection not registered') end
if redis.call('SADD', 'sb:conn:' .. cid .. ':rooms', room) == 0 then return 0 end
redis.call('HINCRBY', 'sb:room:' .. room .. ':users', uid, 1)
redis.call('SADD', 'sb:rooms', room)
redis.call('ZREM', 'sb:pending', 'left\n' .. uid .. '\n' .. room)
return redis.call('SADD', 'sb:room:' .. room .. ':announced', uid)
