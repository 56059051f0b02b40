package dev.switchboard.chat;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "chat_message")
public class ChatMessage {
    @Id
    public UUID id;

    @Column(name = "ticket_id", nullable = false)
    public UUID ticketId;

    @Column(name = "author_id", nullable = false)
    public String authorId;

    @Column(name = "author_name", nullable = false)
    public String authorName;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public MessageType type;

    /** The text exactly as written; it is sanitised for HTML on the way out. */
    @Column(nullable = false)
    public String body;

    @Column(name = "client_msg_id")
    public String clientMsgId;

    /** JSON array of the user names mentioned with @name. */
    @Column(nullable = false)
    public String mentions;

    /** JSON array of the attachments' metadata. */
    @Column(nullable = false)
    public String attachments;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "edited_at")
    public OffsetDateTime editedAt;

    /** Soft delete: the message stays in the history, shown as deleted. */
    @Column(name = "deleted_at")
    public OffsetDateTime deletedAt;
}
