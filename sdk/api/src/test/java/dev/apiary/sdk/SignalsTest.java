package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SignalsTest {

    @Test
    void namesTheStandardAndRealTimeSignalsAndNumbersTheRest() {
        assertEquals("SIGHUP", Signals.name(1));
        assertEquals("SIGUSR1", Signals.name(10));
        assertEquals("SIGTERM", Signals.name(15));
        assertEquals("SIGSYS", Signals.name(31));
        assertEquals("SIGRTMIN+0", Signals.name(34));
        assertEquals("SIGRTMIN+30", Signals.name(64));
        assertEquals("signal 0", Signals.name(0));
        assertEquals("signal 32", Signals.name(32));
        assertEquals("signal 65", Signals.name(65));
    }
}
