-- Run by every instance every second; atomic, so each expiry or announcement is handled once.
-- ARGV: now (ms), max items per run.
-- Returns a flat list of announcements: kind ('left' | 'offline'), uid, room ('' for offline), name
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', 'sb:leases', '-inf', now, 'LIMIT', 0, limit)) do
  disconnect(cid, now)
end
local out = {}
for _, item in ipairs(redis.call('ZRANGEBYSCORE', 'sb:pending', '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZREM', 'sb:pending', item)
  local kind, uid, room = string.match(item, '^(%a+)\n([^\n]+)\n?(.*)$')
  local name = redis.call('HGET', 'sb:user:' .. uid, 'name') or uid
  if kind == 'left' then
    local n = tonumber(redis.call('HGET', 'sb:room:' .. room .. ':users', uid) or '0')
    if n <= 0 and redis.call('SREM', 'sb:room:' .. room .. ':announced', uid) == 1 then
      table.insert(out, 'left'); table.insert(out, uid); table.insert(out, room); table.insert(out, name)
    end
  elseif kind == 'offline' then
    if redis.call('SCARD', 'sb:user:' .. uid .. ':conns') == 0 and redis.call('SREM', 'sb:online', uid) == 1 then
      redis.call('HSET', 'sb:user:' .. uid, 'status', 'offline')
      table.insert(out, 'offline'); table.insert(out, uid); table.insert(out, ''); table.insert(out, name)
    end
  end
end
return out
