package dev.switchboard.notification.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.switchboard.messaging.outbox.EventOutbox;
import dev.switchboard.notification.Notification;
import dev.switchboard.notification.event.NotificationEvent;
import dev.switchboard.notification.mapping.NotificationViews.NotificationView;
import dev.switchboard.notification.mapping.NotificationViews.Page;
import dev.switchboard.notification.mapping.NotificationViews.Preferences;
import dev.switchboard.notification.repository.NotificationRepository;
import dev.switchboard.service.JsonColumns;
import dev.switchboard.service.rest.Problem;
import dev.switchboard.service.rest.PageCursor;
import dev.switchboard.service.rest.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Creates, collapses and reads notifications. Every change to one user's notifications runs under
 * that user's advisory lock and publishes the user's unread count as counted in the same
 * transaction, so the count in each event is the database's.
 */
@ApplicationScoped
public class NotificationService {
    private static final int PREVIEW = 140;
    private final NotificationRepository notifications;
    private final EventOutbox outbox;
    private final ObjectMapper json;

    NotificationService(NotificationRepository notifications, EventOutbox outbox, ObjectMapper json) {
        this.notifications = notifications;
        this.outbox = outbox;
        this.json = json;
    }

    /**
     * Gives each intended user their notification, in the caller's transaction: never to the actor,
     * never against the user's preferences; NEW_MESSAGE collapses into the user's unread one for the
     * ticket. The users are locked in id order, so two deliveries never deadlock, and each event carries
     * the user's unread count after its own change. However many intents, this is a fixed number of
     * statements (preferences, locks, the collapsed notifications, the unread counts, the writes, the
     * events), not a handful per intent: a chat poll gives dozens of users their step at once.
     */
    public Uni<Void> deliver(List<Intent> intents) {
        List<Intent> wanted = new ArrayList<>(intents);
        wanted.removeIf(i -> i.userId() == null || i.userId().equals(i.actorId()));
        wanted = collapse(wanted);
        wanted.sort(Comparator.comparing(Intent::userId));
        if (wanted.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Intent> candidates = wanted;
        return preferencesOf(users(candidates)).chain(prefs -> {
            List<Intent> allowed = candidates.stream().filter(i -> !muted(prefs.get(i.userId()), i)).toList();
            if (allowed.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<String> users = users(allowed);
            List<UUID> tickets = allowed.stream().filter(NotificationService::collapses).map(Intent::ticketId)
                    .distinct().toList();
            return notifications.lockUsers(users)
                    .chain(() -> tickets.isEmpty() ? Uni.createFrom().item(List.<Notification>of())
                            : notifications.unreadCollapsed(users, tickets, Intent.NEW_MESSAGE))
                    .chain(collapsed -> notifications.unreadCounts(users)
                            .chain(unread -> apply(allowed, collapsed, unread)));
        });
    }

    /** The intents' changes and their events, in order; {@code unread} is each user's count before them. */
    private Uni<Void> apply(List<Intent> intents, List<Notification> collapsed, Map<String, Long> unread) {
        Map<String, Notification> byUserAndTicket = new HashMap<>();
        collapsed.forEach(n -> byUserAndTicket.putIfAbsent(n.userId + "|" + n.ticketId, n));
        Map<String, Long> counts = new HashMap<>(unread);
        List<Notification> created = new ArrayList<>();
        List<EventOutbox.Event> events = new ArrayList<>();
        OffsetDateTime now = now();
        for (Intent intent : intents) {
            Notification n = collapses(intent) ? byUserAndTicket.get(intent.userId() + "|" + intent.ticketId()) : null;
            if (n == null) {
                n = new Notification();
                n.id = UUID.randomUUID();
                n.userId = intent.userId();
                n.type = intent.type();
                n.ticketId = intent.ticketId();
                n.count = intent.count();
                n.createdAt = now;
                created.add(n);
                counts.merge(intent.userId(), 1L, Long::sum);
            } else {
                n.count += intent.count();
            }
            n.title = intent.title();
            n.body = preview(intent.body());
            n.actorId = intent.actorId();
            n.updatedAt = now;
            NotificationEvent event = new NotificationEvent.Created(intent.userId(), NotificationView.of(n),
                    counts.getOrDefault(intent.userId(), 0L));
            events.add(new EventOutbox.Event(event.userId(), event.type(), event));
        }
        return (created.isEmpty() ? Uni.createFrom().voidItem() : notifications.persist(created))
                .chain(() -> notifications.flush())
                .chain(() -> outbox.publishAll(NotificationEvent.TOPIC, NotificationEvent.SOURCE, "user", events));
    }

    private static boolean collapses(Intent intent) {
        return Intent.NEW_MESSAGE.equals(intent.type()) && intent.ticketId() != null;
    }

    private static boolean muted(Preferences prefs, Intent intent) {
        return prefs != null && (prefs.mutedTypes().contains(intent.type())
                || intent.ticketId() != null && prefs.mutedTicketIds().contains(intent.ticketId()));
    }

    private static List<String> users(List<Intent> intents) {
        return intents.stream().map(Intent::userId).distinct().toList();
    }

    /**
     * NEW_MESSAGE intents for the same user and ticket become one, counting them all, with the last one's
     * text: a user gets one notification event per ticket for a poll's messages, not one per message.
     */
    static List<Intent> collapse(List<Intent> intents) {
        Map<Object, Intent> merged = new LinkedHashMap<>();
        for (Intent i : intents) {
            Object key = Intent.NEW_MESSAGE.equals(i.type()) && i.ticketId() != null ? i.userId() + "|" + i.ticketId()
                    : new Object();
            merged.merge(key, i, (a, b) -> new Intent(b.userId(), b.type(), b.ticketId(), b.title(), b.body(), b.actorId(),
                    a.count() + b.count()));
        }
        return new ArrayList<>(merged.values());
    }

    @WithSession
    public Uni<Page> list(String userId, boolean unreadOnly, String cursor, int limit) {
        PageCursor after = PageCursor.decode(cursor);
        return notifications.page(userId, unreadOnly, after == null ? null : after.createdAt(),
                after == null ? null : after.id(), limit + 1).chain(found -> {
                    List<Notification> items = found.size() > limit ? found.subList(0, limit) : found;
                    String next = found.size() > limit ? new PageCursor(items.get(items.size() - 1).createdAt, items.get(items.size() - 1).id).encode() : null;
                    return notifications.unread(userId).map(unread -> new Page(
                            items.stream().map(NotificationView::of).toList(), next, unread));
                });
    }

    @WithSession
    public Uni<Long> unread(String userId) {
        return notifications.unread(userId);
    }

    /** Marks one of the user's notifications read; reading it again changes nothing. */
    @WithTransaction
    public Uni<Long> markRead(String userId, UUID id) {
        return notifications.lockUser(userId).chain(() -> notifications.findById(id)).chain(n -> {
            if (n == null || !n.userId.equals(userId)) {
                throw ProblemException.notFound("notification " + id);
            }
            if (n.readAt != null) {
                return notifications.unread(userId);
            }
            n.readAt = now();
            return notifications.flush().chain(() -> notifications.unread(userId))
                    .call(unread -> publish(new NotificationEvent.Read(userId, List.of(id), unread)));
        });
    }

    @WithTransaction
    public Uni<Long> markAllRead(String userId) {
        return notifications.lockUser(userId).chain(() -> notifications.unreadOf(userId)).chain(unread -> {
            if (unread.isEmpty()) {
                return Uni.createFrom().item(0L);
            }
            OffsetDateTime now = now();
            unread.forEach(n -> n.readAt = now);
            List<UUID> ids = unread.stream().map(n -> n.id).toList();
            return notifications.flush().chain(() -> notifications.unread(userId))
                    .call(count -> publish(new NotificationEvent.Read(userId, ids, count)));
        });
    }

    @WithSession
    public Uni<Preferences> preferences(String userId) {
        return preferencesOf(List.of(userId))
                .map(prefs -> prefs.getOrDefault(userId, new Preferences(List.of(), List.of())));
    }

    /** The preferences of each of the users who has any, in one query. */
    private Uni<Map<String, Preferences>> preferencesOf(List<String> userIds) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                "select user_id, muted_types, muted_ticket_ids from notification_preference where user_id in (:users)",
                Object[].class).setParameter("users", userIds).getResultList()).map(rows -> {
                    Map<String, Preferences> prefs = new HashMap<>();
                    for (Object[] row : rows) {
                        prefs.put((String) row[0], new Preferences(read((String) row[1], new TypeReference<List<String>>() {
                        }), read((String) row[2], new TypeReference<List<UUID>>() {
                        })));
                    }
                    return prefs;
                });
    }

    @WithTransaction
    public Uni<Preferences> savePreferences(String userId, Preferences prefs) {
        if (prefs.mutedTypes() == null || prefs.mutedTicketIds() == null) {
            throw ProblemException.badRequest("both lists are required", List.of(
                    new Problem.FieldError(prefs.mutedTypes() == null ? "muted_types" : "muted_ticket_ids", "must be a list")));
        }
        Preferences clean = new Preferences(prefs.mutedTypes().stream().distinct().toList(),
                prefs.mutedTicketIds().stream().distinct().toList());
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into notification_preference (user_id, muted_types, muted_ticket_ids) values (?1, ?2, ?3)
                on conflict (user_id) do update set muted_types = excluded.muted_types,
                    muted_ticket_ids = excluded.muted_ticket_ids""")
                .setParameter(1, userId).setParameter(2, write(clean.mutedTypes()))
                .setParameter(3, write(clean.mutedTicketIds())).executeUpdate()).replaceWith(clean);
    }

    private Uni<Void> publish(NotificationEvent event) {
        return outbox.publish(NotificationEvent.TOPIC, NotificationEvent.SOURCE, "user", event.userId(), event.type(), event);
    }

    private static String preview(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() <= PREVIEW ? text : text.substring(0, PREVIEW - 1) + "…";
    }

    private String write(Object value) {
        return JsonColumns.write(json, value);
    }

    private <T> T read(String text, TypeReference<T> type) {
        return JsonColumns.read(json, text, type);
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
