-- A writer whose own process runs the relay may wake it in-process after its commit (OutboxWake):
-- it marks its transaction with set_config('switchboard.outbox_wake', 'local', true), and such a
-- commit needs no notification. Every other write notifies as before.
create or replace function switchboard_outbox_notify() returns trigger language plpgsql as $$
begin
    if current_setting('switchboard.outbox_wake', true) is distinct from 'local' then
        perform pg_notify('switchboard_outbox', '');
    end if;
    return null;
end;
$$;
