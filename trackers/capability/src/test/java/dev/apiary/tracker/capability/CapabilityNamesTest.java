package dev.apiary.tracker.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapabilityNamesTest {

    @Test
    void numbersAreTheKernelsAndNamesTakeEverySpelling() {
        assertEquals("CAP_CHOWN", CapabilityNames.name(0));
        assertEquals("CAP_NET_RAW", CapabilityNames.name(13));
        assertEquals("CAP_SYS_ADMIN", CapabilityNames.name(21));
        assertEquals("CAP_CHECKPOINT_RESTORE", CapabilityNames.name(40));
        assertEquals("CAP_41", CapabilityNames.name(41), "a newer kernel's capability keeps its number");
        assertEquals(13, CapabilityNames.number("net_raw").getAsInt());
        assertEquals(13, CapabilityNames.number("CAP_NET_RAW").getAsInt());
        assertTrue(CapabilityNames.number("CAP_FLY").isEmpty());
    }

    @Test
    void aKernelKeyReadsAsItsCgroupCapabilityResultAndName() {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        b.putLong(4242L).putInt(13).putInt(1).put("arping".getBytes(StandardCharsets.UTF_8));
        assertEquals(new CapabilityTracker.Key(4242L, 13, true, "arping"), CapabilityTracker.key(b.array()));
        byte[] full = new byte[32];
        ByteBuffer.wrap(full).order(ByteOrder.nativeOrder()).putLong(1).putInt(0).putInt(0).put("runc:[2:INIT]xyz".getBytes());
        assertEquals("runc:[2:INIT]xyz", CapabilityTracker.key(full).comm(), "a 16-byte name without its NUL");
    }
}
