-- ARGV: cid, uid, status. Returns {1 if the user's merged status changed else 0, merged status, rooms...}
local cid, uid = ARGV[1], ARGV[2]
if redis.call('EXISTS', 'sb:conn:' .. cid) == 0 then return { 0, 'offline' } end
redis.call('HSET', 'sb:conn:' .. cid, 'status', ARGV[3])
local before = redis.call('HGET', 'sb:user:' .. uid, 'status')
local status = merged_status(uid)
redis.call('HSET', 'sb:user:' .. uid, 'status', status)
if before == status then return { 0, status } end
local out, seen = { 1, status }, {}
for _, c in ipairs(redis.call('SMEMBERS', 'sb:user:' .. uid .. ':conns')) do
  for _, room in ipairs(redis.call('SMEMBERS', 'sb:conn:' .. c .. ':rooms')) do
    if not seen[room] then seen[room] = true; table.insert(out, room) end
  end
end
return out
