-- Appends a room event to the room log and publishes it to every gateway, atomically, so the
-- per-room seq has no gaps and pub/sub order equals seq order. A repeated event id (Kafka
-- redelivery) is dropped before it gets a seq.
-- KEYS[1] seq counter, KEYS[2] room log (stream, id = seq-0), KEYS[3] de-duplication marker
-- ARGV[1] pub/sub channel, ARGV[2] frame up to the seq, ARGV[3] frame after the seq,
-- ARGV[4] max events in the log, ARGV[5] max age in seconds, ARGV[6] user not to deliver to ('' for none)
-- Returns the seq, or 0 for a duplicate.
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[5]) then
  return 0
end
local seq = redis.call('INCR', KEYS[1])
local frame = ARGV[2] .. seq .. ARGV[3]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'f', frame)
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('PUBLISH', ARGV[1], seq .. '|' .. ARGV[6] .. '|' .. frame)
return seq
