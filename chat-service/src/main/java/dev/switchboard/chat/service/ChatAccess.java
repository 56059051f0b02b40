package dev.switchboard.chat.service;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.switchboard.chat.repository.TicketProjectionRepository;
import dev.switchboard.chat.repository.TicketProjectionRepository.Member;
import dev.switchboard.service.rest.ProblemException;
import dev.switchboard.service.security.Actor;
import io.smallrye.mutiny.Uni;

/**
 * SPEC §2 for a ticket's chat, decided from chat-service's own projection of ticket events (no call
 * to ticket-service): agents and admins see every ticket's chat, anyone else only while they take
 * part in the ticket. Otherwise, and for tickets not known yet, 404.
 */
@ApplicationScoped
public class ChatAccess {
    private final TicketProjectionRepository tickets;

    ChatAccess(TicketProjectionRepository tickets) {
        this.tickets = tickets;
    }

    public Uni<Void> require(Actor actor, UUID ticketId) {
        return tickets.findById(ticketId).chain(ticket -> {
            if (ticket == null) {
                throw ProblemException.notFound("ticket " + ticketId);
            }
            if (actor.isStaff()) {
                return Uni.createFrom().voidItem();
            }
            return tickets.isMember(ticketId, actor.id()).map(member -> {
                if (!member) {
                    throw ProblemException.notFound("ticket " + ticketId);
                }
                return null;
            });
        });
    }

    public Uni<List<Member>> members(UUID ticketId) {
        return tickets.members(ticketId);
    }
}
