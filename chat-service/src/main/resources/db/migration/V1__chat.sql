-- chat-service's own view of tickets, fed by switchboard.ticket-events: who may see a ticket's chat.
create table ticket_projection (
    ticket_id    uuid        primary key,
    number       text        not null,
    title        text        not null,
    status       text        not null,
    requester_id text        not null,
    assignee_id  text,
    version      bigint      not null,
    updated_at   timestamptz not null
);

create table ticket_member (
    ticket_id uuid not null references ticket_projection (ticket_id),
    user_id   text not null,
    role      text not null,
    primary key (ticket_id, user_id, role)
);
create index ticket_member_user_idx on ticket_member (user_id, ticket_id);

create table chat_message (
    id            uuid        primary key,
    ticket_id     uuid        not null,
    author_id     text        not null,
    author_name   text        not null,
    type          text        not null,
    body          text        not null,
    client_msg_id text,
    mentions      text        not null default '[]',
    attachments   text        not null default '[]',
    created_at    timestamptz not null,
    edited_at     timestamptz,
    deleted_at    timestamptz,
    search        tsvector    generated always as (to_tsvector('english', body)) stored
);
-- History in a stable order: created time, then id.
create index chat_message_ticket_idx on chat_message (ticket_id, created_at, id);
create index chat_message_search_idx on chat_message using gin (search);
-- A retried send with the same client_msg_id is the same message.
create unique index chat_message_client_idx on chat_message (ticket_id, author_id, client_msg_id)
    where client_msg_id is not null;

create table chat_attachment (
    id           uuid        primary key,
    ticket_id    uuid        not null,
    uploader_id  text        not null,
    filename     text        not null,
    content_type text        not null,
    size         bigint      not null,
    data         bytea       not null,
    created_at   timestamptz not null
);

-- Per user and ticket, the newest message read; it only moves forward.
create table read_receipt (
    ticket_id  uuid        not null,
    user_id    text        not null,
    message_id uuid        not null,
    read_at    timestamptz not null,
    primary key (ticket_id, user_id)
);
