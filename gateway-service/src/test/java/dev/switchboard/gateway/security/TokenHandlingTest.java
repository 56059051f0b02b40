package dev.switchboard.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** Where the handshake token is found, and that the log filter removes it from any message. */
class TokenHandlingTest {
    private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXBhcnQ";

    @Test
    void tokenFromHeaderSubprotocolOrQuery() {
        assertThat(HandshakeToken.find("Bearer " + JWT, null, null)).isEqualTo(JWT);
        assertThat(HandshakeToken.find(null, "switchboard.v1, bearer." + JWT, null)).isEqualTo(JWT);
        assertThat(HandshakeToken.find(null, null, "a=1&token=" + JWT)).isEqualTo(JWT);
        assertThat(HandshakeToken.find(null, "switchboard.v1", "a=1")).isNull();
    }

    @Test
    void theLogFilterRedactsTokensInMessagesAndParameters() {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, "GET /ws?token=%s failed for %s",
                ExtLogRecord.FormatStyle.PRINTF, TokenHandlingTest.class.getName());
        record.setParameters(new Object[] { JWT, "client" });
        new TokenRedactingFilter().isLoggable(record);
        assertThat(record.getFormattedMessage()).isEqualTo("GET /ws?token=[REDACTED] failed for client")
                .doesNotContain("c2lnbmF0dXJl");
        assertThat(TokenRedactingFilter.redact("Authorization: Bearer " + JWT)).doesNotContain(JWT);
    }
}
