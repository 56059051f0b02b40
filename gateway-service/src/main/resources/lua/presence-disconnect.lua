-- ARGV: cid, when to announce the user offline / gone from its rooms if it does not come back (ms)
disconnect(ARGV[1], tonumber(ARGV[2]))
return 1
