package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.switchboard.testsupport.EventSchemas;
import dev.switchboard.testsupport.TicketFeed;

/** The fan-out's Kafka path publishes what chat-service publishes, so every consumer of the topic takes it as it is. */
class FanoutEventTest {

    @Test
    void theKafkaPathsEventIsAValidMessageUpdatedAndCarriesItsStepAndSendTime() {
        String ticketId = UUID.randomUUID().toString();
        String data = Fanout.kafkaEventData(ticketId, 7, 123456789L);
        EventSchemas.assertValid(TicketFeed.CHAT_SCHEMAS, Fanout.KAFKA_EVENT_TYPE, data.getBytes(StandardCharsets.UTF_8));
        assertThat(Conn.longField(data, "bench-step=")).isEqualTo(7);
        assertThat(Conn.longField(data, "bench-sent-ns=")).isEqualTo(123456789L);
    }
}
