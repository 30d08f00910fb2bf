package dev.apiary.tracker.xdp;

import static dev.apiary.tracker.xdp.PacketTrackerBpfTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The settings that act while the tracker runs, on the object loaded for real (no Docker):
 * {@code capture.rate} is the rate a capture writes into the control map, and {@code check.ms}
 * how soon an attachment whose interface went away is released.
 */
@RequiresBpf
class XdpConfigBpfTest {

    @Test
    void aCaptureTakesItsRateAndTheReaperItsIntervalFromTheSettings() throws Exception {
        XdpTracker tracker = new XdpTracker(TestConfig.of(XdpTracker.Config.class, Map.of("capture.rate", 7, "check.ms", 100)));
        String name = "axc" + UUID.randomUUID().toString().substring(0, 8);
        try (BpfObject obj = BpfObject.open(PacketTrackerBpfTest.OBJECT)) {
            tracker.configure(obj);
            obj.load();
            tracker.start(obj, TestContainers.running());
            try {
                Attachment nowhere = new Attachment(null, "nowhere", 0, 0, Hook.TC, List.of());
                try (Capture c = tracker.startCapture(nowhere, Rule.parse("icmp"))) {
                    assertEquals(1, ctl(obj).getInt(4), "capture on");
                    assertEquals(7, ctl(obj).getInt(8), "capture.rate in the control record");
                }
                assertEquals(0, ctl(obj).getInt(4), "capture off");

                assertEquals(0, run("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p").exit());
                run("ip", "link", "set", name, "up");
                Attachment a = tracker.attach(name, Hook.TC);
                assertEquals(List.of(a), tracker.attachments());
                long removed = System.nanoTime();
                assertEquals(0, run("ip", "link", "del", name).exit());
                while (!tracker.attachments().isEmpty() && System.nanoTime() - removed < TimeUnit.SECONDS.toNanos(5)) {
                    Thread.sleep(10);
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed);
                assertEquals(List.of(), tracker.attachments(), "released when its interface went away");
                // The default (1000 ms) would take up to a second; 100 ms takes at most that and a pass.
                assertTrue(ms < 600, "released after " + ms + " ms with check.ms=100");
            } finally {
                tracker.stop();
                run("ip", "link", "del", name);
            }
        }
    }

    private static ByteBuffer ctl(BpfObject obj) {
        return ByteBuffer.wrap(obj.map("xdp_ctl").lookup(Bytes.u32(0)).orElseThrow()).order(ByteOrder.nativeOrder());
    }
}
