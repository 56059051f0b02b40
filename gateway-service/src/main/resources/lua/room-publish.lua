-- Appends a room event to the room log and publishes it to every gateway, atomically, so the
-- per-room seq has no gaps and pub/sub order equals seq order. A repeated event id (Kafka
-- redelivery) is dropped before it gets a seq. A room's seq series has an epoch: a new one starts
-- whenever the series starts again (first event or join, or after the keys were lost: a Redis flush or
-- restart without persistence; the epoch and seq keys are written and expire together), so a
-- client's old seq is never taken for a position in the new one.
-- KEYS[1] seq counter, KEYS[2] room log (stream, id = seq-0), KEYS[3] de-duplication marker,
-- KEYS[4] epoch, KEYS[5] long index (stream, id = seq-0; '' args skip it)
-- ARGV[1] pub/sub channel, ARGV[2] frame up to the seq, ARGV[3] frame after the seq,
-- ARGV[4] max events in the log, ARGV[5] max age in seconds, ARGV[6] user not to deliver to ('' for none),
-- ARGV[7] epoch to use if a new series starts, ARGV[8] index frame after the seq ('' = the frame's),
-- ARGV[9] id of the chat message the index entry refers to ('' for none), ARGV[10] max index entries (0 = no index)
-- Returns the seq, or 0 for a duplicate.
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[5]) then
  return 0
end
local seq = redis.call('INCR', KEYS[1])
local epoch = redis.call('GET', KEYS[4])
if not epoch then
  epoch = ARGV[7]
end
redis.call('SET', KEYS[4], epoch, 'EX', ARGV[5])
local frame = ARGV[2] .. seq .. ARGV[3]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'f', frame)
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[5])
if ARGV[10] ~= '0' then
  local entry = frame
  if ARGV[8] ~= '' then entry = ARGV[2] .. seq .. ARGV[8] end
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[10], seq .. '-0', 'f', entry, 'm', ARGV[9])
  redis.call('EXPIRE', KEYS[5], ARGV[5])
end
redis.call('PUBLISH', ARGV[1], seq .. '|' .. epoch .. '|' .. ARGV[6] .. '|' .. frame)
return seq
