-- notification-service's view of tickets (from switchboard.ticket-events): who takes part.
create table ticket_projection (
    ticket_id    uuid   primary key,
    number       text   not null,
    title        text   not null,
    requester_id text   not null,
    assignee_id  text,
    version      bigint not null
);

create table ticket_member (
    ticket_id uuid not null references ticket_projection (ticket_id),
    user_id   text not null,
    role      text not null,
    primary key (ticket_id, user_id, role)
);

-- One row per notification; NEW_MESSAGE rows collapse: one unread row per user and ticket, whose
-- count and preview grow with each message.
create table notification (
    id         uuid        primary key,
    user_id    text        not null,
    type       text        not null,
    ticket_id  uuid,
    title      text        not null,
    body       text        not null,
    count      integer     not null default 1,
    actor_id   text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    read_at    timestamptz
);
create index notification_user_idx on notification (user_id, created_at desc, id desc);
create index notification_unread_idx on notification (user_id) where read_at is null;
create unique index notification_collapse_idx on notification (user_id, ticket_id, type)
    where read_at is null and type = 'NEW_MESSAGE';

create table notification_preference (
    user_id          text primary key,
    muted_types      text not null default '[]',
    muted_ticket_ids text not null default '[]'
);
