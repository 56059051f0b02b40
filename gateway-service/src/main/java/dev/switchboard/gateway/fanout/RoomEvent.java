package dev.switchboard.gateway.fanout;

/**
 * One protocol event for one room, from a Kafka event.
 *
 * @param eventId the CloudEvent id, plus the protocol type when one Kafka event yields several
 *        types, so a client de-duplicating by event_id never drops a different event
 * @param payloadJson the payload object, without room/seq/event_id (the room log adds those)
 * @param indexPayloadJson what the room's long index keeps instead of the payload (a chat message
 *        reduced to its id), or null for the payload itself
 * @param messageId the chat message {@code indexPayloadJson} refers to, or null
 */
public record RoomEvent(String room, String type, String eventId, String payloadJson, String indexPayloadJson,
        String messageId) {

    public RoomEvent(String room, String type, String eventId, String payloadJson) {
        this(room, type, eventId, payloadJson, null, null);
    }
}
