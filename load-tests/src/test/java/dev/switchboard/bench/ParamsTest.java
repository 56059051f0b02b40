package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A mistyped parameter stops the benchmark before it runs, not after it has measured for minutes. */
class ParamsTest {
    @Test
    void anUnknownParameterIsRefusedBeforeTheRun() {
        Params p = Params.parse(new String[] { "fanout", "--shapes=100x10", "--no-build" }, 1);
        assertThatThrownBy(() -> p.checkKnown(Bench.PARAMETERS.get("fanout")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--no-build");
    }

    @Test
    void everyScenarioKnowsTheCommonParameters() {
        for (String scenario : Bench.SCENARIOS) {
            Params p = Params.parse(new String[] { scenario, "--jfr=true", "--gateway-heap=2g", "--out=x",
                "--gateway-set=a=1", "--services-set=b=2" }, 1);
            assertThatCode(() -> p.checkKnown(Bench.PARAMETERS.get(scenario))).doesNotThrowAnyException();
        }
    }

    @Test
    void settingsAreKeyValuePairsAndAMalformedOneIsRefused() {
        assertThat(Env.settings("services-set", "quarkus.vertx.event-loops-pool-size=2; a.b = x=y ;"))
                .containsExactly(java.util.Map.entry("quarkus.vertx.event-loops-pool-size", "2"),
                        java.util.Map.entry("a.b", "x=y"));
        assertThat(Env.settings("gateway-set", "")).isEmpty();
        assertThatThrownBy(() -> Env.settings("services-set", "quarkus.vertx.event-loops-pool-size"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--services-set");
        assertThatThrownBy(() -> Env.settings("gateway-set", "=3")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aServicesSettingMayBeForOneServiceOnly() {
        java.util.Map<String, String> extra = Env.servicesSettings("a=1;notification-service:b=2;chat-service:a=3");
        java.util.Map<String, String> base = java.util.Map.of("q", "0");
        assertThat(Env.settingsOf("notification-service", base, extra))
                .containsOnly(java.util.Map.entry("q", "0"), java.util.Map.entry("a", "1"), java.util.Map.entry("b", "2"));
        assertThat(Env.settingsOf("chat-service", base, extra))
                .containsOnly(java.util.Map.entry("q", "0"), java.util.Map.entry("a", "3"));
        assertThat(Env.settingsOf("ticket-service", base, extra))
                .containsOnly(java.util.Map.entry("q", "0"), java.util.Map.entry("a", "1"));
        assertThatThrownBy(() -> Env.servicesSettings("gateway:b=2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("notification-service");
    }
}
