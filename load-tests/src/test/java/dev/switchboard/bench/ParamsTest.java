package dev.switchboard.bench;

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
            Params p = Params.parse(new String[] { scenario, "--jfr=true", "--gateway-heap=2g", "--out=x" }, 1);
            assertThatCode(() -> p.checkKnown(Bench.PARAMETERS.get(scenario))).doesNotThrowAnyException();
        }
    }
}
