package dev.switchboard.ticket.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.ticket.Activity;
import dev.switchboard.ticket.Visibility;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
@WithSession
public class ActivityRepository implements PanacheRepository<Activity> {
    public Uni<List<Activity>> forTicket(UUID ticketId, boolean includeInternal) {
        return includeInternal
                ? list("ticketId = ?1 order by id", ticketId)
                : list("ticketId = ?1 and visibility = ?2 order by id", ticketId, Visibility.PUBLIC);
    }
}
