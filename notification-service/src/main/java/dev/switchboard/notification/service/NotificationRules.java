package dev.switchboard.notification.service;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.switchboard.messaging.cloudevents.InvalidCloudEventException;
import dev.switchboard.notification.repository.TicketDirectory.Ticket;

/**
 * Who is told what (SPEC §3). The actor is dropped later, in {@link NotificationService#deliver}.
 *
 * <ul>
 * <li>ticket.assigned: the new assignee gets TICKET_ASSIGNED.</li>
 * <li>ticket.status_changed: requester and watchers get TICKET_STATUS_CHANGED.</li>
 * <li>ticket.comment_added: a PUBLIC comment goes to requester and watchers as COMMENT_ADDED; an
 * INTERNAL one only to the assignee, since requesters and watchers may be customers.</li>
 * <li>chat.message_created: every participant gets NEW_MESSAGE (collapsed per ticket); a mentioned
 * participant also gets MENTION. SYSTEM messages notify nobody: their cause already did.</li>
 * </ul>
 */
public final class NotificationRules {
    private NotificationRules() {
    }

    public static List<Intent> forTicketEvent(String type, JsonNode data, Ticket t) {
        String actor = data.path("actor").path("id").asText(null);
        List<Intent> intents = new ArrayList<>();
        switch (type) {
            case "switchboard.ticket.assigned.v1" -> {
                if (data.path("assignee_id").isTextual()) {
                    intents.add(new Intent(data.path("assignee_id").asText(), Intent.TICKET_ASSIGNED, t.id(),
                            t.number() + " was assigned to you", t.title(), actor));
                }
            }
            case "switchboard.ticket.status_changed.v1" -> requesterAndWatchers(t).forEach(u -> intents.add(new Intent(u,
                    Intent.TICKET_STATUS_CHANGED, t.id(), t.number() + " is now " + data.path("status").asText(), t.title(),
                    actor)));
            case "switchboard.ticket.comment_added.v1" -> {
                JsonNode comment = data.path("comment");
                String title = "New comment on " + t.number();
                if ("PUBLIC".equals(comment.path("visibility").asText())) {
                    requesterAndWatchers(t).forEach(u -> intents.add(new Intent(u, Intent.COMMENT_ADDED, t.id(), title,
                            comment.path("body").asText(""), actor)));
                } else if (t.assigneeId() != null) {
                    intents.add(new Intent(t.assigneeId(), Intent.COMMENT_ADDED, t.id(), title + " (internal)",
                            comment.path("body").asText(""), actor));
                }
            }
            default -> {
                // created, updated, participant changes: nobody is notified
            }
        }
        return intents;
    }

    public static List<Intent> forChatMessage(JsonNode data, Ticket t) {
        JsonNode message = data.path("message");
        if ("SYSTEM".equals(message.path("type").asText())) {
            return List.of();
        }
        String author = message.path("author_id").asText(null);
        String text = plainText(message.path("message").asText(""));
        List<String> participants = t.participants();
        List<Intent> intents = new ArrayList<>();
        participants.forEach(u -> intents.add(new Intent(u, Intent.NEW_MESSAGE, t.id(), "New message on " + t.number(),
                text, author)));
        message.path("mentions").forEach(m -> {
            if (participants.contains(m.asText())) {
                intents.add(new Intent(m.asText(), Intent.MENTION, t.id(), message.path("author_name").asText("Someone")
                        + " mentioned you on " + t.number(), text, author));
            }
        });
        return intents;
    }

    /** A request from another service: {user_id, type, title, body, ticket_id?}. */
    public static Intent forRequest(JsonNode data) {
        String user = data.path("user_id").asText("");
        String type = data.path("type").asText("");
        String title = data.path("title").asText("");
        if (user.isBlank() || !type.matches("[A-Z][A-Z0-9_]{0,49}") || title.isBlank()) {
            throw new InvalidCloudEventException("a notification request needs user_id, type (UPPER_SNAKE) and title");
        }
        UUID ticket = null;
        if (data.path("ticket_id").isTextual()) {
            try {
                ticket = UUID.fromString(data.path("ticket_id").asText());
            } catch (IllegalArgumentException e) {
                throw new InvalidCloudEventException("ticket_id is not a UUID");
            }
        }
        return new Intent(user, type, ticket, title, data.path("body").asText(""), null);
    }

    private static List<String> requesterAndWatchers(Ticket t) {
        List<String> users = new ArrayList<>();
        users.add(t.requesterId());
        users.addAll(t.watcherIds());
        return users.stream().distinct().toList();
    }

    /** The chat text arrives as sanitised HTML; a preview is plain text. */
    static String plainText(String html) {
        return html.replaceAll("<[^>]*>", "").replace("&#64;", "@").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&#34;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }
}
