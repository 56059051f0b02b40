package dev.switchboard.gateway.room;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;


import dev.switchboard.gateway.client.ServiceCalls;
import dev.switchboard.gateway.client.TicketClient;
import dev.switchboard.gateway.config.GatewayConfig;
import dev.switchboard.gateway.security.Identity;
import dev.switchboard.gateway.websocket.ErrorCode;
import dev.switchboard.gateway.websocket.ProtocolException;
import io.smallrye.mutiny.Uni;

/**
 * May this user see this ticket? ticket-service decides (it owns participants); the answer is kept
 * for a short while, and participant events drop it at once on every instance.
 */
@ApplicationScoped
public class TicketAccess {
    private static final Pattern TICKET_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final TicketClient tickets;
    private final ServiceCalls calls;
    private final long ttlMillis;
    private final Map<String, Decision> cache = new ConcurrentHashMap<>();

    public TicketAccess(@RestClient TicketClient tickets, ServiceCalls calls, GatewayConfig config) {
        this.tickets = tickets;
        this.calls = calls;
        this.ttlMillis = config.accessCacheTtl().toMillis();
    }

    /** A decision holds for the roles it was taken with: a token with other roles (refresh_token) asks again. */
    private record Decision(boolean allowed, long until, Set<String> roles) {
    }

    /** Completes when the user may see the ticket; fails with FORBIDDEN otherwise. */
    public Uni<Void> require(Identity identity, String ticketId) {
        if (!TICKET_ID.matcher(ticketId).matches()) {
            return Uni.createFrom().failure(ProtocolException.forbidden());
        }
        String key = key(identity.userId(), ticketId);
        Decision cached = cache.get(key);
        long now = System.currentTimeMillis();
        if (cached != null && cached.until > now && cached.roles.equals(identity.roles())) {
            return cached.allowed ? Uni.createFrom().voidItem() : Uni.createFrom().failure(ProtocolException.forbidden());
        }
        return calls.ticket(() -> tickets.get(identity.bearer(), ticketId))
                .map(ticket -> true)
                .onFailure(e -> e instanceof ProtocolException p && p.code() == ErrorCode.FORBIDDEN)
                .recoverWithItem(false)
                .invoke(allowed -> {
                    if (cache.size() > 100_000) {
                        cache.clear();
                    }
                    cache.put(key, new Decision(allowed, System.currentTimeMillis() + ttlMillis, identity.roles()));
                })
                .chain(allowed -> allowed ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(ProtocolException.forbidden()));
    }

    public void invalidate(String userId, String ticketId) {
        cache.remove(key(userId, ticketId));
    }

    public static boolean validTicketId(String ticketId) {
        return TICKET_ID.matcher(ticketId).matches();
    }

    private static String key(String userId, String ticketId) {
        return userId + '\n' + ticketId;
    }

}
