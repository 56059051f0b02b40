package dev.switchboard.ticket.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.service.JsonColumns;
import dev.switchboard.service.rest.PageCursor;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.Actor;
import dev.switchboard.ticket.Activity;
import dev.switchboard.ticket.ActivityAction;
import dev.switchboard.ticket.Comment;
import dev.switchboard.ticket.Participant;
import dev.switchboard.ticket.ParticipantRole;
import dev.switchboard.ticket.Priority;
import dev.switchboard.ticket.Ticket;
import dev.switchboard.ticket.TicketStatus;
import dev.switchboard.ticket.Visibility;
import dev.switchboard.ticket.event.TicketEvent.ActorRef;
import dev.switchboard.ticket.event.TicketEvent.Change;
import dev.switchboard.ticket.event.TicketEvent.TicketSnapshot;
import dev.switchboard.ticket.event.TicketEvent;
import dev.switchboard.ticket.event.TicketEventPublisher;
import dev.switchboard.ticket.mapping.TicketRequests;
import dev.switchboard.ticket.mapping.TicketViews.ActivityView;
import dev.switchboard.ticket.mapping.TicketViews.CommentView;
import dev.switchboard.ticket.mapping.TicketViews.Page;
import dev.switchboard.ticket.mapping.TicketViews.TicketView;
import dev.switchboard.ticket.repository.ActivityRepository;
import dev.switchboard.ticket.repository.CommentRepository;
import dev.switchboard.ticket.repository.ParticipantRepository;
import dev.switchboard.ticket.repository.TicketRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Every ticket operation, with its access rule (SPEC §2), its activity entry and its events. Access
 * is decided here, not in the resources: agents and admins see every ticket; anyone else sees a
 * ticket only while they participate in it, and gets 404 otherwise so ids cannot be probed. Each
 * change writes its events to the outbox in the same transaction.
 */
@ApplicationScoped
public class TicketService {
    private final TicketRepository tickets;
    private final ParticipantRepository participants;
    private final CommentRepository comments;
    private final ActivityRepository activities;
    private final TicketEventPublisher events;
    private final ObjectMapper json;

    TicketService(TicketRepository tickets, ParticipantRepository participants, CommentRepository comments,
            ActivityRepository activities, TicketEventPublisher events, ObjectMapper json) {
        this.tickets = tickets;
        this.participants = participants;
        this.comments = comments;
        this.activities = activities;
        this.events = events;
        this.json = json;
    }

    /** A ticket the actor may see, with its participants. */
    private record Visible(Ticket ticket, List<Participant> participants) {
        boolean isRequester(Actor actor) {
            return actor.id().equals(ticket.requesterId);
        }

        List<String> watcherIds() {
            return participants.stream().filter(p -> p.role == ParticipantRole.WATCHER).map(p -> p.userId).toList();
        }

        boolean has(String userId, ParticipantRole role) {
            return participants.stream().anyMatch(p -> p.userId.equals(userId) && p.role == role);
        }

        TicketView view() {
            return TicketView.of(ticket, watcherIds());
        }

        TicketSnapshot snapshot() {
            return TicketSnapshot.of(ticket, watcherIds());
        }
    }

    @WithTransaction
    public Uni<TicketView> create(Actor actor, TicketRequests.CreateTicket request) {
        String requester = request.requesterId() == null ? actor.id() : request.requesterId();
        if (!requester.equals(actor.id()) && !actor.isStaff()) {
            throw ProblemException.forbidden("only agents and admins open tickets on someone else's behalf");
        }
        List<String> watcherIds = request.watcherIds() == null ? List.of()
                : List.copyOf(new LinkedHashSet<>(request.watcherIds()));
        if (!watcherIds.isEmpty() && !actor.isStaff()) {
            throw ProblemException.forbidden("only agents and admins add watchers to a new ticket");
        }
        OffsetDateTime now = now();
        return tickets.nextNumber().chain(number -> {
            Ticket ticket = new Ticket();
            ticket.id = UUID.randomUUID();
            ticket.number = number;
            ticket.title = request.title().strip();
            ticket.description = request.description() == null ? "" : request.description();
            ticket.status = TicketStatus.OPEN;
            ticket.priority = request.priority() == null ? Priority.NORMAL : request.priority();
            ticket.requesterId = requester;
            ticket.createdAt = now;
            ticket.updatedAt = now;
            List<Participant> all = new ArrayList<>();
            all.add(Participant.of(ticket.id, requester, ParticipantRole.REQUESTER, now));
            watcherIds.forEach(w -> all.add(Participant.of(ticket.id, w, ParticipantRole.WATCHER, now)));
            Visible created = new Visible(ticket, all);
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("title", ticket.title);
            after.put("status", ticket.status);
            after.put("priority", ticket.priority);
            after.put("requester_id", requester);
            return tickets.persist(ticket)
                    .chain(() -> participants.persist(all))
                    .chain(() -> tickets.flush())
                    .chain(() -> events.publish(new TicketEvent.Created(ticket.id, created.snapshot(),
                            ticket.description, ref(actor))))
                    .chain(() -> log(actor, ticket.id, ActivityAction.CREATED, Visibility.PUBLIC, null, after))
                    .map(ignored -> created.view());
        });
    }

    @WithSession
    public Uni<TicketView> get(Actor actor, UUID ticketId) {
        return visible(actor, ticketId).map(Visible::view);
    }

    @WithSession
    public Uni<Page<TicketView>> list(Actor actor, TicketFilter filter, String cursor, int limit) {
        return page(filter, actor.isStaff() ? null : actor.id(), cursor, limit);
    }

    /** Tickets {@code userId} participates in; a customer may list only their own. */
    @WithSession
    public Uni<Page<TicketView>> userTickets(Actor actor, String userId, TicketFilter filter, String cursor,
            int limit) {
        if (!actor.isStaff() && !actor.id().equals(userId)) {
            throw ProblemException.forbidden("you can list only your own tickets");
        }
        return page(filter, userId, cursor, limit);
    }

    private Uni<Page<TicketView>> page(TicketFilter filter, String participantId, String cursor, int limit) {
        PageCursor after = PageCursor.decode(cursor);
        return tickets.search(filter, participantId, after, limit + 1).chain(found -> {
            List<Ticket> items = found.size() > limit ? found.subList(0, limit) : found;
            String next = found.size() > limit ? new PageCursor(items.get(items.size() - 1).createdAt, items.get(items.size() - 1).id).encode() : null;
            if (items.isEmpty()) {
                return Uni.createFrom().item(new Page<>(List.<TicketView>of(), null));
            }
            List<UUID> ids = items.stream().map(t -> t.id).toList();
            return participants.watchersOf(ids).map(watchers -> new Page<>(items.stream()
                    .map(t -> TicketView.of(t, watchers.getOrDefault(t.id, List.of())))
                    .toList(), next));
        });
    }

    /** Title and description by the requester or staff; priority by staff only. */
    @WithTransaction
    public Uni<TicketView> update(Actor actor, UUID ticketId, TicketRequests.UpdateTicket request) {
        return visible(actor, ticketId).chain(v -> {
            Ticket t = v.ticket();
            if (!actor.isStaff() && !v.isRequester(actor)) {
                throw ProblemException.forbidden("only the requester, agents and admins edit a ticket");
            }
            if (!actor.isStaff() && request.priority() != null && request.priority() != t.priority) {
                throw ProblemException.forbidden("only agents and admins change the priority");
            }
            requireVersion(t, request.version());
            Map<String, Change> changes = new LinkedHashMap<>();
            if (request.title() != null && !request.title().strip().equals(t.title)) {
                changes.put("title", new Change(t.title, request.title().strip()));
                t.title = request.title().strip();
            }
            if (request.description() != null && !request.description().equals(t.description)) {
                changes.put("description", new Change(t.description, request.description()));
                t.description = request.description();
            }
            if (request.priority() != null && request.priority() != t.priority) {
                changes.put("priority", new Change(t.priority, request.priority()));
                t.priority = request.priority();
            }
            if (changes.isEmpty()) {
                return Uni.createFrom().item(v.view());
            }
            t.updatedAt = now();
            return tickets.flush()
                    .chain(() -> log(actor, t.id, ActivityAction.UPDATED, Visibility.PUBLIC,
                            values(changes, Change::before), values(changes, Change::after)))
                    .chain(() -> events.publish(new TicketEvent.Updated(t.id, v.snapshot(), changes, ref(actor))))
                    .map(ignored -> v.view());
        });
    }

    /**
     * Moves the ticket along {@link TicketStatus}'s state machine. Agents and admins make any legal
     * move; the requester may only close their ticket or reopen it.
     */
    @WithTransaction
    public Uni<TicketView> changeStatus(Actor actor, UUID ticketId, TicketRequests.ChangeStatus request) {
        return visible(actor, ticketId).chain(v -> {
            Ticket t = v.ticket();
            TicketStatus from = t.status;
            TicketStatus to = request.status();
            boolean requesterMayDoIt = v.isRequester(actor) && (to == TicketStatus.CLOSED || from.isReopenTo(to));
            if (!actor.isStaff() && !requesterMayDoIt) {
                throw ProblemException.forbidden("only agents and admins change the status; the requester may close"
                        + " or reopen their ticket");
            }
            if (request.version() != null) {
                requireVersion(t, request.version());
            }
            if (!from.canMoveTo(to)) {
                Map<String, Object> extensions = new LinkedHashMap<>();
                extensions.put("current_status", from);
                extensions.put("allowed", from.next());
                throw ProblemException.conflict("invalid-transition",
                        "a ticket cannot go from " + from + " to " + to + "; allowed: " + from.next(), extensions);
            }
            t.status = to;
            t.updatedAt = now();
            return tickets.flush()
                    .chain(() -> log(actor, t.id, ActivityAction.STATUS_CHANGED, Visibility.PUBLIC,
                            Map.of("status", from), Map.of("status", to)))
                    .chain(() -> events.publish(new TicketEvent.StatusChanged(t.id, v.snapshot(), from, to, ref(actor))))
                    .map(ignored -> v.view());
        });
    }

    /** Agents and admins only. The new assignee becomes a participant; the old one stops being one. */
    @WithTransaction
    public Uni<TicketView> assign(Actor actor, UUID ticketId, TicketRequests.Assign request) {
        return visible(actor, ticketId).chain(v -> {
            if (!actor.isStaff()) {
                throw ProblemException.forbidden("only agents and admins assign tickets");
            }
            Ticket t = v.ticket();
            String from = t.assigneeId;
            String to = request.assigneeId();
            if (Objects.equals(from, to)) {
                return Uni.createFrom().item(v.view());
            }
            OffsetDateTime now = now();
            t.assigneeId = to;
            t.updatedAt = now;
            List<Participant> updated = new ArrayList<>(v.participants());
            updated.removeIf(p -> p.role == ParticipantRole.ASSIGNEE);
            Participant added = to == null ? null : Participant.of(t.id, to, ParticipantRole.ASSIGNEE, now);
            if (added != null) {
                updated.add(added);
            }
            Visible after = new Visible(t, updated);
            Uni<?> rows = from == null ? Uni.createFrom().voidItem()
                    : participants.remove(t.id, from, ParticipantRole.ASSIGNEE);
            return rows.chain(() -> added == null ? Uni.createFrom().voidItem() : participants.persist(added))
                    .chain(() -> tickets.flush())
                    .chain(() -> log(actor, t.id, ActivityAction.ASSIGNED, Visibility.PUBLIC,
                            nullable("assignee_id", from), nullable("assignee_id", to)))
                    .chain(() -> events.publish(new TicketEvent.Assigned(t.id, after.snapshot(), from, to, ref(actor))))
                    .chain(() -> from == null ? Uni.createFrom().voidItem()
                            : events.publish(new TicketEvent.ParticipantRemoved(t.id, after.snapshot(), from,
                                    ParticipantRole.ASSIGNEE, ref(actor))))
                    .chain(() -> to == null ? Uni.createFrom().voidItem()
                            : events.publish(new TicketEvent.ParticipantAdded(t.id, after.snapshot(), to,
                                    ParticipantRole.ASSIGNEE, ref(actor))))
                    .map(ignored -> after.view());
        });
    }

    /** Agents and admins add anyone; a participant may add only themselves. Adding twice changes nothing. */
    @WithTransaction
    public Uni<TicketView> addWatcher(Actor actor, UUID ticketId, String userId) {
        return visible(actor, ticketId).chain(v -> {
            requireSelfOrStaff(actor, userId, "add");
            if (v.has(userId, ParticipantRole.WATCHER)) {
                return Uni.createFrom().item(v.view());
            }
            Ticket t = v.ticket();
            OffsetDateTime now = now();
            t.updatedAt = now;
            Participant watcher = Participant.of(t.id, userId, ParticipantRole.WATCHER, now);
            List<Participant> updated = new ArrayList<>(v.participants());
            updated.add(watcher);
            Visible after = new Visible(t, updated);
            return participants.persist(watcher)
                    .chain(() -> tickets.flush())
                    .chain(() -> log(actor, t.id, ActivityAction.WATCHER_ADDED, Visibility.PUBLIC, null,
                            Map.of("watcher_id", userId)))
                    .chain(() -> events.publish(new TicketEvent.ParticipantAdded(t.id, after.snapshot(), userId,
                            ParticipantRole.WATCHER, ref(actor))))
                    .map(ignored -> after.view());
        });
    }

    /** Agents and admins remove anyone; a participant may remove only themselves. Removing twice changes nothing. */
    @WithTransaction
    public Uni<TicketView> removeWatcher(Actor actor, UUID ticketId, String userId) {
        return visible(actor, ticketId).chain(v -> {
            requireSelfOrStaff(actor, userId, "remove");
            if (!v.has(userId, ParticipantRole.WATCHER)) {
                return Uni.createFrom().item(v.view());
            }
            Ticket t = v.ticket();
            t.updatedAt = now();
            List<Participant> updated = new ArrayList<>(v.participants());
            updated.removeIf(p -> p.role == ParticipantRole.WATCHER && p.userId.equals(userId));
            Visible after = new Visible(t, updated);
            return participants.remove(t.id, userId, ParticipantRole.WATCHER)
                    .chain(() -> tickets.flush())
                    .chain(() -> log(actor, t.id, ActivityAction.WATCHER_REMOVED, Visibility.PUBLIC,
                            Map.of("watcher_id", userId), null))
                    .chain(() -> events.publish(new TicketEvent.ParticipantRemoved(t.id, after.snapshot(), userId,
                            ParticipantRole.WATCHER, ref(actor))))
                    .map(ignored -> after.view());
        });
    }

    /** Customers never see INTERNAL comments. */
    @WithSession
    public Uni<List<CommentView>> comments(Actor actor, UUID ticketId) {
        return visible(actor, ticketId)
                .chain(v -> comments.forTicket(ticketId, actor.isStaff()))
                .map(list -> list.stream().map(CommentView::of).toList());
    }

    /** Any participant writes PUBLIC comments; INTERNAL ones are for agents and admins. */
    @WithTransaction
    public Uni<CommentView> addComment(Actor actor, UUID ticketId, TicketRequests.AddComment request) {
        Visibility visibility = request.visibility() == null ? Visibility.PUBLIC : request.visibility();
        return visible(actor, ticketId).chain(v -> {
            if (visibility == Visibility.INTERNAL && !actor.isStaff()) {
                throw ProblemException.forbidden("only agents and admins write INTERNAL comments");
            }
            Comment comment = new Comment();
            comment.id = UUID.randomUUID();
            comment.ticketId = ticketId;
            comment.authorId = actor.id();
            comment.authorName = actor.name();
            comment.body = request.body();
            comment.visibility = visibility;
            comment.createdAt = now();
            CommentView view = CommentView.of(comment);
            return comments.persist(comment)
                    .chain(() -> log(actor, ticketId, ActivityAction.COMMENT_ADDED, visibility, null,
                            Map.of("comment_id", comment.id, "visibility", visibility)))
                    .chain(() -> events.publish(new TicketEvent.CommentAdded(ticketId, v.snapshot(), view, ref(actor))))
                    .map(ignored -> view);
        });
    }

    /** The activity log, oldest first; customers do not see the entries of INTERNAL comments. */
    @WithSession
    public Uni<List<ActivityView>> activities(Actor actor, UUID ticketId) {
        return visible(actor, ticketId)
                .chain(v -> activities.forTicket(ticketId, actor.isStaff()))
                .map(list -> list.stream().map(a -> new ActivityView(a.id, a.ticketId, a.actorId, a.actorName,
                        a.action, readMap(a.before), readMap(a.after), a.createdAt)).toList());
    }

    private Uni<Visible> visible(Actor actor, UUID ticketId) {
        return tickets.findById(ticketId).chain(ticket -> {
            if (ticket == null) {
                throw ProblemException.notFound("ticket " + ticketId);
            }
            return participants.forTicket(ticketId).map(list -> {
                boolean participates = list.stream().anyMatch(p -> p.userId.equals(actor.id()));
                if (!actor.isStaff() && !participates) {
                    throw ProblemException.notFound("ticket " + ticketId);
                }
                return new Visible(ticket, list);
            });
        });
    }

    private static void requireVersion(Ticket ticket, long expected) {
        if (ticket.version != expected) {
            throw ProblemException.conflict("stale-version", "the ticket is at version " + ticket.version
                    + ", not " + expected + "; reload it and try again", Map.of("current_version", ticket.version));
        }
    }

    private static void requireSelfOrStaff(Actor actor, String userId, String verb) {
        if (!actor.isStaff() && !actor.id().equals(userId)) {
            throw ProblemException.forbidden("only agents and admins " + verb + " other users as watchers");
        }
    }

    private Uni<Void> log(Actor actor, UUID ticketId, ActivityAction action, Visibility visibility,
            Map<String, ?> before, Map<String, ?> after) {
        Activity activity = new Activity();
        activity.ticketId = ticketId;
        activity.actorId = actor.id();
        activity.actorName = actor.name();
        activity.action = action;
        activity.visibility = visibility;
        activity.before = writeMap(before);
        activity.after = writeMap(after);
        activity.createdAt = now();
        return activities.persist(activity).replaceWithVoid();
    }

    private static Map<String, Object> values(Map<String, Change> changes, Function<Change, Object> side) {
        Map<String, Object> values = new LinkedHashMap<>();
        changes.forEach((field, change) -> values.put(field, side.apply(change)));
        return values;
    }

    private static Map<String, Object> nullable(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }

    private String writeMap(Map<String, ?> map) {
        return JsonColumns.write(json, map);
    }

    private Map<String, Object> readMap(String text) {
        return JsonColumns.read(json, text, new TypeReference<Map<String, Object>>() {
        });
    }

    private static ActorRef ref(Actor actor) {
        return new ActorRef(actor.id(), actor.name());
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /** The ticket list's filters; null means "any". */
    public record TicketFilter(Set<TicketStatus> statuses, Priority priority, String assigneeId, String requesterId,
            String text) {
    }
}
