-- Outbox rows Kafka refused for good (record too large, topic not authorised, ...): parked here
-- with the error, so they are kept for an operator instead of blocking every row behind them.
create table switchboard_outbox_failed (
    id             bigint      primary key,
    aggregate_type text        not null,
    aggregate_id   text        not null,
    topic          text        not null,
    ce_id          text        not null,
    ce_type        text        not null,
    ce_source      text        not null,
    ce_subject     text,
    ce_time        timestamptz not null,
    payload        json        not null,
    created_at     timestamptz not null,
    error          text        not null,
    failed_at      timestamptz not null default now()
);
