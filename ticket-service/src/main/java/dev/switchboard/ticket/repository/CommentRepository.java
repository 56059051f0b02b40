package dev.switchboard.ticket.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.ticket.Comment;
import dev.switchboard.ticket.Visibility;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
@WithSession
public class CommentRepository implements PanacheRepositoryBase<Comment, UUID> {
    public Uni<List<Comment>> forTicket(UUID ticketId, boolean includeInternal) {
        return includeInternal
                ? list("ticketId = ?1 order by createdAt, id", ticketId)
                : list("ticketId = ?1 and visibility = ?2 order by createdAt, id", ticketId, Visibility.PUBLIC);
    }
}
