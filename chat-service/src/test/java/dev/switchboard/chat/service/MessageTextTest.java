package dev.switchboard.chat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sanitiser's shortcut for plain text must give exactly what the policy gives. */
class MessageTextTest {
    private static final org.owasp.html.PolicyFactory POLICY = MessageText.OUTPUT_POLICY;

    @Test
    void everyVerbatimCharacterIsLeftAloneByThePolicyWhereverItStands() {
        for (char c : MessageText.VERBATIM_CHARACTERS.toCharArray()) {
            for (String text : new String[] { String.valueOf(c), "a" + c + "b", c + " " + c, "" + c + c + c }) {
                assertEquals(text, POLICY.sanitize(text), "the policy changes " + describe(c) + " in \"" + text + "\"");
            }
        }
    }

    @Test
    void anyOtherCharacterGoesThroughThePolicy() {
        for (char c = 0; c < 256; c++) {
            boolean verbatim = MessageText.VERBATIM_CHARACTERS.indexOf(c) >= 0;
            assertEquals(verbatim, MessageText.isVerbatim("x" + c + "y"), describe(c));
        }
        assertFalse(MessageText.isVerbatim("café"));
        assertTrue(MessageText.isVerbatim(""));
    }

    @Test
    void plainTextIsReturnedAsWrittenAndMarkupIsStillSanitised() {
        String plain = "Hello maria, the order #1234 (2 items) shipped: see /orders/1234 - thanks!\nBye";
        assertEquals(plain, MessageText.sanitise(plain));
        assertEquals(POLICY.sanitize(plain), MessageText.sanitise(plain));
        assertEquals("<b>hi</b>", MessageText.sanitise("<b>hi</b><script>alert(1)</script>"));
        assertEquals("a &amp; b", MessageText.sanitise("a & b"));
        assertEquals(POLICY.sanitize("hi @maria"), MessageText.sanitise("hi @maria")); // @ is encoded: not verbatim
        assertEquals(POLICY.sanitize("5 > 3 = \"true\" @ `x` + 'y'"), MessageText.sanitise("5 > 3 = \"true\" @ `x` + 'y'"));
        assertEquals(POLICY.sanitize("café {{x}}"), MessageText.sanitise("café {{x}}"));
    }

    private static String describe(char c) {
        return "U+" + String.format("%04X", (int) c);
    }
}
