package dev.switchboard.gateway.room;

/** Room names (SPEC §5): {@code ticket:{id}}, {@code user:{id}}, {@code role:{role}}. */
public final class Rooms {
    private Rooms() {
    }

    public static String ticket(String ticketId) {
        return "ticket:" + ticketId;
    }

    public static String user(String userId) {
        return "user:" + userId;
    }

    public static String role(String role) {
        return "role:" + role;
    }

    public static boolean isTicket(String room) {
        return room.startsWith("ticket:");
    }

    /** The ticket id of a ticket room, or null. */
    public static String ticketId(String room) {
        return isTicket(room) ? room.substring("ticket:".length()) : null;
    }

    /** A room name an admin may emit to: one of the three kinds with a non-empty id. */
    public static boolean valid(String room) {
        int colon = room.indexOf(':');
        if (colon <= 0 || colon == room.length() - 1 || room.length() > 200) {
            return false;
        }
        String kind = room.substring(0, colon);
        return kind.equals("ticket") || kind.equals("user") || kind.equals("role");
    }
}
