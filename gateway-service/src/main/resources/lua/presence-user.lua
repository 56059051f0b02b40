-- ARGV: uid. Returns {name, status, n, then per connection: cid, instance, status, since, rooms joined by ','}
local uid = ARGV[1]
local info = redis.call('HMGET', 'sb:user:' .. uid, 'name', 'status')
local conns = redis.call('SMEMBERS', 'sb:user:' .. uid .. ':conns')
local out = { info[1] or '', info[2] or 'offline', #conns }
for _, cid in ipairs(conns) do
  local c = redis.call('HMGET', 'sb:conn:' .. cid, 'instance', 'status', 'since')
  table.insert(out, cid); table.insert(out, c[1] or ''); table.insert(out, c[2] or ''); table.insert(out, c[3] or '')
  table.insert(out, table.concat(redis.call('SMEMBERS', 'sb:conn:' .. cid .. ':rooms'), ','))
end
return out
