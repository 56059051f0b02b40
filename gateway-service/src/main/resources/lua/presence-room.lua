-- ARGV: room. Returns uid, name, status for every user in the room, on any instance.
local out = {}
for _, uid in ipairs(redis.call('HKEYS', 'sb:room:' .. ARGV[1] .. ':users')) do
  local info = redis.call('HMGET', 'sb:user:' .. uid, 'name', 'status')
  table.insert(out, uid); table.insert(out, info[1] or uid); table.insert(out, info[2] or 'online')
end
return out
