package dev.switchboard.ticket.repository;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.ticket.Participant;
import dev.switchboard.ticket.ParticipantRole;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
@WithSession
public class ParticipantRepository implements PanacheRepository<Participant> {
    public Uni<List<Participant>> forTicket(UUID ticketId) {
        return list("ticketId = ?1 order by id", ticketId);
    }

    /** Watcher ids per ticket, in the order they were added. */
    public Uni<Map<UUID, List<String>>> watchersOf(List<UUID> ticketIds) {
        return list("ticketId in ?1 and role = ?2 order by id", ticketIds, ParticipantRole.WATCHER)
                .map(found -> found.stream().collect(Collectors.groupingBy(p -> p.ticketId, LinkedHashMap::new,
                        Collectors.mapping(p -> p.userId, Collectors.toList()))));
    }

    public Uni<Long> remove(UUID ticketId, String userId, ParticipantRole role) {
        return delete("ticketId = ?1 and userId = ?2 and role = ?3", ticketId, userId, role);
    }
}
