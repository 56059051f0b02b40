-- ARGV: cid, uid, room. An explicit leave: returns 1 when user_left is to be sent now.
return leave_room(ARGV[1], ARGV[2], ARGV[3], nil)
