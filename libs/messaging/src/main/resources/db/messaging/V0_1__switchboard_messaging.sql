-- Shared by every service that publishes or consumes events. Versions 0.x sort before the
-- service's own migrations (V1, V2, ...), which Flyway reads from db/migration.

-- Transactional outbox: a row is written in the same transaction as the change it describes and
-- relayed to Kafka after commit by OutboxRelay, in id order, then deleted.
create table switchboard_outbox (
    id             bigserial    primary key,
    aggregate_type text         not null,
    aggregate_id   text         not null,
    topic          text         not null,
    ce_id          text         not null unique,
    ce_type        text         not null,
    ce_source      text         not null,
    ce_subject     text,
    ce_time        timestamptz  not null,
    payload        json         not null, -- json keeps the producer's text as written
    created_at     timestamptz  not null default now()
);

-- Wakes the relay as soon as a transaction that wrote to the outbox commits.
create function switchboard_outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('switchboard_outbox', '');
    return null;
end;
$$;

create trigger switchboard_outbox_inserted
    after insert on switchboard_outbox
    for each statement execute function switchboard_outbox_notify();

-- Idempotent consumers: one row per (consumer, CloudEvent id) processed, written in the same
-- transaction as the consumer's effect, so a redelivered event is recognised and skipped.
create table switchboard_processed_event (
    consumer     text        not null,
    ce_id        text        not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, ce_id)
);
