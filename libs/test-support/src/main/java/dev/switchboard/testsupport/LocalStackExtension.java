package dev.switchboard.testsupport;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** For plain JUnit tests ({@code @ExtendWith(LocalStackExtension.class)}) that need the real servers. */
public class LocalStackExtension implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        TestStack.ensureRunning();
    }
}
