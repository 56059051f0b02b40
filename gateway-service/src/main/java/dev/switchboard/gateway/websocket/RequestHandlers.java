package dev.switchboard.gateway.websocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.switchboard.gateway.GatewayNode;
import dev.switchboard.gateway.client.ChatClient;
import dev.switchboard.gateway.client.MessageSender;
import dev.switchboard.gateway.client.NotificationClient;
import dev.switchboard.gateway.client.ServiceCalls;
import dev.switchboard.gateway.client.TicketClient;
import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.room.RoomRecovery;
import dev.switchboard.gateway.room.Rooms;
import dev.switchboard.gateway.room.TicketAccess;
import dev.switchboard.gateway.security.Identity;
import dev.switchboard.gateway.security.TokenVerifier;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Every client request type of SPEC §5, each handled in exactly one method here. A handler returns
 * the {@code ack} payload; a failure becomes the {@code error}. Results that are also events
 * ({@code connection}, {@code joined_ticket}, {@code left_ticket}, {@code online_users},
 * {@code pong}) are sent as such too, so clients that send no {@code id} still see them.
 */
@ApplicationScoped
public class RequestHandlers {
    private static final Set<String> PRESENCE_STATUSES = Set.of("online", "away", "busy");

    private final GatewayNode node;
    private final FrameCodec codec;
    private final TokenVerifier verifier;
    private final TicketAccess access;
    private final ServiceCalls calls;
    private final TicketClient tickets;
    private final ChatClient chat;
    private final MessageSender messages;
    private final NotificationClient notifications;
    private final GatewayConfig config;
    private final RoomRecovery recovery;
    private final RateLimiter limiter;
    /** A handler's result when it has sent the ack itself (to send events right after it). */
    private static final JsonNode ANSWERED = com.fasterxml.jackson.databind.node.MissingNode.getInstance();

    private interface Handler {
        Uni<JsonNode> handle(Session session, ClientFrame frame);
    }

    private final Map<String, Handler> handlers = Map.ofEntries(
            Map.entry("authenticate", this::authenticate),
            Map.entry("refresh_token", this::refreshToken),
            Map.entry("join_ticket", this::joinTicket),
            Map.entry("leave_ticket", this::leaveTicket),
            Map.entry("send_message", this::sendMessage),
            Map.entry("get_messages", this::getMessages),
            Map.entry("typing_indicator", (s, f) -> typing(s, f, f.requireBoolean("is_typing"))),
            Map.entry("typing_start", (s, f) -> typing(s, f, true)),
            Map.entry("typing_stop", (s, f) -> typing(s, f, false)),
            Map.entry("message_seen", this::messageSeen),
            Map.entry("get_online_users", this::getOnlineUsers),
            Map.entry("set_presence", this::setPresence),
            Map.entry("list_tickets", this::listTickets),
            Map.entry("get_ticket", this::getTicket),
            Map.entry("get_user_tickets", this::getUserTickets),
            Map.entry("get_ticket_activities", this::getTicketActivities),
            Map.entry("list_notifications", this::listNotifications),
            Map.entry("mark_notification_read", this::markNotificationRead),
            Map.entry("ping", this::ping));

    public RequestHandlers(GatewayNode node, FrameCodec codec, TokenVerifier verifier, TicketAccess access,
            ServiceCalls calls, @RestClient TicketClient tickets, @RestClient ChatClient chat,
            @RestClient NotificationClient notifications, GatewayConfig config, RoomRecovery recovery,
            RateLimiter limiter, MessageSender messages) {
        this.node = node;
        this.codec = codec;
        this.verifier = verifier;
        this.access = access;
        this.calls = calls;
        this.tickets = tickets;
        this.chat = chat;
        this.messages = messages;
        this.notifications = notifications;
        this.config = config;
        this.recovery = recovery;
        this.limiter = limiter;
    }

    /** Decodes a text frame, runs its handler and answers a request that has an id with exactly one ack or error. */
    public Uni<Void> handle(Session session, String text) {
        ClientFrame frame;
        try {
            frame = codec.decode(text);
        } catch (FrameCodec.FrameException e) {
            session.send(codec.error(e.id(), e.error().code(), e.error().getMessage()));
            return Uni.createFrom().voidItem();
        } catch (ProtocolException e) {
            session.send(codec.error(null, e.code(), e.getMessage()));
            return Uni.createFrom().voidItem();
        }
        Handler handler = handlers.get(frame.type());
        if (handler == null) {
            return fail(session, frame, new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "unknown type '" + abbreviate(frame.type()) + "'"));
        }
        if (!session.authenticated() && !frame.type().equals("authenticate")) {
            return fail(session, frame, new ProtocolException(ErrorCode.UNAUTHENTICATED,
                    "send authenticate {token} first"));
        }
        return limiter.acquire(session).chain(refused -> {
            if (refused != null) {
                return rateLimited(session, frame, refused);
            }
            Uni<JsonNode> result;
            try {
                result = handler.handle(session, frame);
            } catch (RuntimeException e) {
                // Thrown before the handler had a Uni (a bad field, a client that refused its input):
                // still the request's one answer, never a request left without one.
                return fail(session, frame, e);
            }
            return result.onItemOrFailure().transformToUni((payload, failure) -> {
                if (failure != null) {
                    return fail(session, frame, failure);
                }
                if (frame.hasId() && payload != ANSWERED) {
                    session.send(codec.ack(frame.id(), payload == null ? codec.object() : payload));
                }
                return Uni.createFrom().voidItem();
            });
        }).onFailure().recoverWithUni(failure -> fail(session, frame, failure));
    }

    private Uni<Void> rateLimited(Session session, ClientFrame frame, RateLimiter.Verdict verdict) {
        GatewayConfig.Limits limits = config.limits();
        String message = verdict == RateLimiter.Verdict.CONNECTION
                ? "more than " + limits.messagesPerSecond() + " requests per second on this connection; slow down"
                : "more than " + limits.userMessagesPerSecond() + " requests per second from this user; slow down";
        session.send(codec.error(frame.id(), ErrorCode.RATE_LIMITED, message));
        if (limiter.abusive(session)) {
            session.close(RateLimiter.CLOSE_POLICY_VIOLATION, "rate limit exceeded again and again");
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> fail(Session session, ClientFrame frame, Throwable failure) {
        if (failure instanceof AlreadyAnswered) {
            return Uni.createFrom().voidItem();
        }
        ProtocolException error = asProtocolError(failure);
        if (error.code() == ErrorCode.INTERNAL) {
            Log.errorf(failure, "request %s failed", frame.type());
        }
        session.send(codec.error(frame.id(), error.code(), error.getMessage()));
        return Uni.createFrom().voidItem();
    }

    static ProtocolException asProtocolError(Throwable failure) {
        if (failure instanceof ProtocolException p) {
            return p;
        }
        if (failure instanceof ServiceCalls.ServiceFailure
                || failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException
                || failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException
                || failure instanceof jakarta.ws.rs.ProcessingException
                || failure instanceof java.net.ConnectException) {
            return new ProtocolException(ErrorCode.UNAVAILABLE, "a service is not available; try again shortly");
        }
        return new ProtocolException(ErrorCode.INTERNAL, "the request failed on the server");
    }

    private Uni<JsonNode> authenticate(Session session, ClientFrame frame) {
        if (session.authenticated()) {
            throw new ProtocolException(ErrorCode.INVALID_REQUEST, "already authenticated; use refresh_token");
        }
        String token = frame.requireString("token");
        Identity identity;
        try {
            identity = verifier.verify(token);
        } catch (TokenVerifier.InvalidTokenException e) {
            node.refuse(session, frame.id(), e.getMessage());
            return Uni.createFrom().failure(new AlreadyAnswered());
        }
        return node.establish(session, identity, frame.id()).map(JsonNode.class::cast);
    }

    private Uni<JsonNode> refreshToken(Session session, ClientFrame frame) {
        Identity identity;
        try {
            identity = verifier.verify(frame.requireString("token"));
        } catch (TokenVerifier.InvalidTokenException e) {
            throw new ProtocolException(ErrorCode.UNAUTHENTICATED, e.getMessage());
        }
        if (!identity.userId().equals(session.userId())) {
            throw new ProtocolException(ErrorCode.UNAUTHENTICATED, "the new token is for another user");
        }
        return node.refresh(session, identity)
                .map(v -> codec.object().put("expires_at", identity.expiresAt().toString()));
    }

    /**
     * Joins a ticket room. With {@code since} (and the {@code epoch} the client got with it), the
     * events it missed follow the answer, in order, before any live one; otherwise the latest
     * messages follow as {@code messages_history}. Live events of the room wait meanwhile.
     */
    private Uni<JsonNode> joinTicket(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        Long since = frame.optionalLong("since");
        if (since != null && since < 0) {
            throw ProtocolException.invalid("payload.since must be a seq (0 or more)");
        }
        String epoch = frame.optionalString("epoch");
        String room = Rooms.ticket(ticketId);
        return access.require(session.identity(), ticketId).chain(() -> {
            boolean wasMember = session.inRoom(room);
            session.beginRecovery(room);
            return node.joinTicket(session, ticketId)
                    .chain(() -> since == null ? recovery.position(room)
                            : recovery.recover(session.identity(), ticketId, room, since, epoch))
                    .chain(result -> node.onlineUsers(room).map(users -> {
                        ObjectNode payload = codec.object().put("ticket_id", ticketId).put("room", room)
                                .put("seq", result.seq()).put("epoch", result.epoch())
                                .put("recovered", since != null && result.recovered());
                        if (since != null && result.recovered()) {
                            payload.put("recovered_events", result.frames().size());
                        }
                        payload.set("online_users", users);
                        List<String> first = new ArrayList<>();
                        if (frame.hasId()) {
                            first.add(codec.ack(frame.id(), payload));
                        }
                        first.add(codec.event("joined_ticket", payload));
                        if (since != null && result.recovered()) {
                            first.addAll(result.frames());
                        } else if (since != null) {
                            first.add(codec.event("resync_required", codec.resyncPayload(room, result.seq())
                                    .put("epoch", result.epoch()).put("reason", result.reason())));
                        }
                        session.endRecovery(room, first, result.seq());
                        if (since == null || !result.recovered()) {
                            sendHistory(session, ticketId, room);
                        }
                        return ANSWERED;
                    }))
                    .onFailure().invoke(e -> {
                        // The answer is an error: unless it was a member already, the session is not one now.
                        session.abortRecovery(room, wasMember);
                        if (!wasMember) {
                            node.abandonJoin(session, ticketId);
                        }
                    });
        });
    }

    private void sendHistory(Session session, String ticketId, String room) {
        Identity identity = session.identity();
        calls.chat(() -> chat.messages(identity.bearer(), ticketId, null, null, null, config.historyOnJoin()))
                .subscribe().with(history -> {
                    ObjectNode payload = codec.object().put("ticket_id", ticketId).put("room", room);
                    payload.set("messages", history.path("items"));
                    payload.set("next_before", history.path("next_before"));
                    payload.put("has_more", history.hasNonNull("next_before"));
                    session.send(codec.event("messages_history", payload));
                }, e -> session.send(codec.error(null, asProtocolError(e).code(),
                        "messages_history for ticket " + ticketId + ": " + asProtocolError(e).getMessage())));
    }

    private Uni<JsonNode> leaveTicket(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        if (!session.inRoom(Rooms.ticket(ticketId))) {
            throw new ProtocolException(ErrorCode.INVALID_REQUEST, "not in ticket " + ticketId);
        }
        return node.leaveTicket(session, ticketId, "left")
                .map(v -> codec.object().put("ticket_id", ticketId).put("room", Rooms.ticket(ticketId)));
    }

    private Uni<JsonNode> sendMessage(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        ObjectNode body = codec.object();
        JsonNode message = frame.payload().get("message");
        if (message != null && !message.isNull() && !message.isTextual()) {
            throw ProtocolException.invalid("payload.message must be a string");
        }
        body.set("message", message);
        String type = frame.optionalString("message_type");
        if (type != null) {
            body.put("message_type", type.toUpperCase(java.util.Locale.ROOT));
        }
        JsonNode attachments = frame.payload().get("attachments");
        if (attachments != null && !attachments.isNull()) {
            if (!attachments.isArray()) {
                throw ProtocolException.invalid("payload.attachments must be an array");
            }
            body.set("attachments", attachments);
        }
        String clientMsgId = frame.optionalString("client_msg_id");
        if (clientMsgId != null) {
            body.put("client_msg_id", clientMsgId);
        }
        if ((message == null || message.isNull() || message.asText().isBlank()) && !body.has("attachments")) {
            throw ProtocolException.invalid("payload.message is required (or attachments)");
        }
        checkTicketId(ticketId);
        byte[] request = codec.bytes(body);
        // The stored message goes into the ack as chat-service wrote it (MessageSender).
        return calls.sendMessage(() -> messages.send(session.identity().bearer(), ticketId, request))
                .map(stored -> codec.object().put("ticket_id", ticketId).putRawValue("message", stored));
    }

    private Uni<JsonNode> getMessages(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        String before = frame.optionalString("before");
        String after = frame.optionalString("after");
        Integer limit = frame.optionalInt("limit", 1, 100);
        Integer offset = frame.optionalInt("offset", 0, Integer.MAX_VALUE);
        checkTicketId(ticketId);
        return calls.chat(() -> chat.messages(session.identity().bearer(), ticketId, before, after, offset, limit))
                .map(history -> {
                    ObjectNode payload = codec.object().put("ticket_id", ticketId);
                    payload.set("messages", history.path("items"));
                    payload.set("next_before", history.path("next_before"));
                    payload.set("next_after", history.path("next_after"));
                    payload.put("has_more", history.hasNonNull("next_before"));
                    return payload;
                });
    }

    private Uni<JsonNode> typing(Session session, ClientFrame frame, boolean isTyping) {
        String ticketId = frame.requireId("ticket_id");
        if (!session.inRoom(Rooms.ticket(ticketId))) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "join the ticket before typing in it");
        }
        node.typing(session, ticketId, isTyping);
        return Uni.createFrom().item(codec.object().put("ticket_id", ticketId).put("is_typing", isTyping));
    }

    private Uni<JsonNode> messageSeen(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        String messageId = frame.requireId("message_id");
        checkTicketId(ticketId);
        ObjectNode body = codec.object().put("message_id", messageId);
        return calls.chat(() -> chat.read(session.identity().bearer(), ticketId, body));
    }

    private Uni<JsonNode> getOnlineUsers(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        String room = Rooms.ticket(ticketId);
        return access.require(session.identity(), ticketId).chain(() -> node.onlineUsers(room)).map(users -> {
            ObjectNode payload = codec.object().put("ticket_id", ticketId).put("room", room);
            payload.set("users", users);
            session.send(codec.event("online_users", payload));
            return payload;
        });
    }

    private Uni<JsonNode> setPresence(Session session, ClientFrame frame) {
        String status = frame.requireString("status");
        if (!PRESENCE_STATUSES.contains(status)) {
            throw ProtocolException.invalid("payload.status must be one of online, away, busy");
        }
        return node.setPresence(session, status)
                .map(merged -> codec.object().put("status", status).put("merged_status", merged));
    }

    private Uni<JsonNode> listTickets(Session session, ClientFrame frame) {
        return calls.ticket(() -> tickets.list(session.identity().bearer(), frame.optionalString("status"),
                frame.optionalString("priority"), frame.optionalString("assignee"), frame.optionalString("requester"),
                frame.optionalString("text"), frame.optionalString("cursor"), frame.optionalInt("limit", 1, 100)));
    }

    private Uni<JsonNode> getTicket(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        checkTicketId(ticketId);
        return calls.ticket(() -> tickets.get(session.identity().bearer(), ticketId));
    }

    private Uni<JsonNode> getUserTickets(Session session, ClientFrame frame) {
        String userId = frame.optionalId("user_id");
        String target = userId == null ? session.userId() : userId;
        return calls.ticket(() -> tickets.userTickets(session.identity().bearer(), target,
                frame.optionalString("status"), frame.optionalString("priority"), frame.optionalString("text"),
                frame.optionalString("cursor"), frame.optionalInt("limit", 1, 100)));
    }

    private Uni<JsonNode> getTicketActivities(Session session, ClientFrame frame) {
        String ticketId = frame.requireId("ticket_id");
        checkTicketId(ticketId);
        return calls.ticket(() -> tickets.activities(session.identity().bearer(), ticketId))
                .map(activities -> codec.object().put("ticket_id", ticketId).set("activities", activities));
    }

    private Uni<JsonNode> listNotifications(Session session, ClientFrame frame) {
        JsonNode unreadOnly = frame.payload().get("unread_only");
        if (unreadOnly != null && !unreadOnly.isNull() && !unreadOnly.isBoolean()) {
            throw ProtocolException.invalid("payload.unread_only must be true or false");
        }
        return calls.notification(() -> notifications.list(session.identity().bearer(),
                frame.optionalString("cursor"), frame.optionalInt("limit", 1, 100),
                unreadOnly == null || unreadOnly.isNull() ? null : unreadOnly.booleanValue()));
    }

    private Uni<JsonNode> markNotificationRead(Session session, ClientFrame frame) {
        JsonNode all = frame.payload().get("all");
        if (all != null && all.isBoolean() && all.booleanValue()) {
            return calls.notification(() -> notifications.readAll(session.identity().bearer()));
        }
        String id = frame.optionalId("notification_id");
        if (id == null) {
            throw ProtocolException.invalid("payload.notification_id is required (or all: true)");
        }
        if (!TicketAccess.validTicketId(id)) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such notification");
        }
        return calls.notification(() -> notifications.read(session.identity().bearer(), id));
    }

    private Uni<JsonNode> ping(Session session, ClientFrame frame) {
        ObjectNode payload = codec.object().put("timestamp", System.currentTimeMillis());
        session.send(codec.event("pong", payload));
        return Uni.createFrom().item(payload);
    }

    private static void checkTicketId(String ticketId) {
        if (!TicketAccess.validTicketId(ticketId)) {
            throw ProtocolException.forbidden();
        }
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }


}
