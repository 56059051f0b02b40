-- Shared by the presence scripts (prepended to each). Keys:
--   sb:conn:<cid>            hash  user, name, instance, status, since
--   sb:conn:<cid>:rooms      set   rooms the connection is in
--   sb:leases                zset  cid -> lease expiry (ms); renewed by the connection's instance
--   sb:user:<uid>:conns      set   the user's connections on every instance
--   sb:user:<uid>            hash  name, status (merged over the user's connections)
--   sb:room:<room>:users     hash  uid -> number of the user's connections in the room
--   sb:room:<room>:announced set   users whose user_joined was sent and user_left not yet
--   sb:rooms                 set   rooms with at least one member
--   sb:online                set   users announced online and not yet offline
--   sb:pending               zset  "left\n<uid>\n<room>" / "offline\n<uid>" -> when to announce (ms)
local RANK = { busy = 3, online = 2, away = 1 }

local function merged_status(uid)
  local best, best_rank = 'offline', 0
  for _, cid in ipairs(redis.call('SMEMBERS', 'sb:user:' .. uid .. ':conns')) do
    local s = redis.call('HGET', 'sb:conn:' .. cid, 'status')
    local r = s and RANK[s] or 0
    if r > best_rank then best, best_rank = s, r end
  end
  return best
end

-- due = nil: an explicit leave, announced at once (returns 1 when user_left is to be sent);
-- otherwise the announcement waits in sb:pending until due, and is dropped if the user comes back.
local function leave_room(cid, uid, room, due)
  if redis.call('SREM', 'sb:conn:' .. cid .. ':rooms', room) == 0 then return 0 end
  local users = 'sb:room:' .. room .. ':users'
  if redis.call('HINCRBY', users, uid, -1) > 0 then return 0 end
  redis.call('HDEL', users, uid)
  if redis.call('HLEN', users) == 0 then redis.call('SREM', 'sb:rooms', room) end
  if due == nil then
    return redis.call('SREM', 'sb:room:' .. room .. ':announced', uid)
  end
  redis.call('ZADD', 'sb:pending', due, 'left\n' .. uid .. '\n' .. room)
  return 0
end

local function disconnect(cid, due)
  local conn = 'sb:conn:' .. cid
  redis.call('ZREM', 'sb:leases', cid)
  local uid = redis.call('HGET', conn, 'user')
  if not uid then return end
  for _, room in ipairs(redis.call('SMEMBERS', conn .. ':rooms')) do
    leave_room(cid, uid, room, due)
  end
  redis.call('DEL', conn, conn .. ':rooms')
  local conns = 'sb:user:' .. uid .. ':conns'
  redis.call('SREM', conns, cid)
  if redis.call('SCARD', conns) == 0 then
    redis.call('ZADD', 'sb:pending', due, 'offline\n' .. uid)
  else
    redis.call('HSET', 'sb:user:' .. uid, 'status', merged_status(uid))
  end
end
