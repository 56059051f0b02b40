-- The epoch of a room's seq series, created when the room has none yet (a join before any event),
-- so that every client learns the epoch its seq values belong to.
-- KEYS[1] epoch; ARGV[1] a new epoch, ARGV[2] max age in seconds. Returns the epoch.
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch, 'EX', ARGV[2])
end
return epoch
