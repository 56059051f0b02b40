-- Tickets, their participants, comments and activity log. Human numbers (SB-1001, ...) come from a
-- sequence so they are unique and never reused.
create sequence ticket_number_seq start with 1001;

create table ticket (
    id           uuid        primary key,
    number       bigint      not null unique,
    title        text        not null,
    description  text        not null default '',
    status       text        not null,
    priority     text        not null,
    requester_id text        not null,
    assignee_id  text,
    version      bigint      not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    search       tsvector    generated always as (
                     to_tsvector('english', title || ' ' || description)) stored
);
create index ticket_created_idx on ticket (created_at desc, id desc);
create index ticket_status_idx on ticket (status);
create index ticket_assignee_idx on ticket (assignee_id);
create index ticket_requester_idx on ticket (requester_id);
create index ticket_search_idx on ticket using gin (search);

-- Who may see a ticket besides agents and admins: its requester, assignee and watchers.
create table ticket_participant (
    id        bigserial   primary key,
    ticket_id uuid        not null references ticket (id),
    user_id   text        not null,
    role      text        not null,
    added_at  timestamptz not null,
    unique (ticket_id, user_id, role)
);
create index ticket_participant_user_idx on ticket_participant (user_id, ticket_id);

create table ticket_comment (
    id          uuid        primary key,
    ticket_id   uuid        not null references ticket (id),
    author_id   text        not null,
    author_name text        not null,
    body        text        not null,
    visibility  text        not null,
    created_at  timestamptz not null
);
create index ticket_comment_ticket_idx on ticket_comment (ticket_id, created_at, id);

-- Every change, with actor, time and the values before and after (JSON objects).
create table ticket_activity (
    id          bigserial   primary key,
    ticket_id   uuid        not null references ticket (id),
    actor_id    text        not null,
    actor_name  text        not null,
    action      text        not null,
    visibility  text        not null,
    before      text,
    after       text,
    created_at  timestamptz not null
);
create index ticket_activity_ticket_idx on ticket_activity (ticket_id, id);
