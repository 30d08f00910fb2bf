package dev.apiary.tracker.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tracker started as core starts it (capability.bpf.o from target/classes, watching
 * everything), beside real busybox containers: one that changes a file's owner and opens a
 * packet socket (arping) with Docker's default capabilities, and one started with
 * {@code --cap-drop NET_RAW}, whose packet socket is refused.
 */
@RequiresBpf
class CapabilityBpfTest {

    private static final String PREFIX = "apiary-cap-test-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String WORK = "touch /f; chown 1:1 /f; arping -c 1 -w 1 -I eth0 172.17.0.1 >/dev/null 2>&1; true";
    /** Each cgroup a container of its own, known by its cgroup id: what core's resolver would say before Docker names it. */
    private static final Containers BY_CGROUP = TestContainers.of().unnamedCgroups();

    private static TestTrackerContext context;
    private static CapabilityTracker tracker;
    private static final List<Event> events = new ArrayList<>();

    @BeforeAll
    static void twoContainersRun() throws Exception {
        context = new TestTrackerContext(CapabilityTracker.NAME, BY_CGROUP);
        tracker = context.start(new CapabilityTracker(TestConfig.defaults(CapabilityTracker.Config.class)));
        docker("run", "--rm", "--name", PREFIX + "-all", "busybox:local", "sh", "-c", WORK);
        docker("run", "--rm", "--name", PREFIX + "-noraw", "--cap-drop", "NET_RAW", "busybox:local", "sh", "-c", WORK);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && find("CAP_NET_RAW", false, "arping").isEmpty()) {
            events.addAll(context.pump());
            Thread.sleep(50);
        }
        events.addAll(context.pump());
    }

    @AfterAll
    static void stop() throws Exception {
        if (tracker != null) {
            tracker.stop();
        }
        if (context != null) {
            context.close();
        }
    }

    private static Optional<CapabilityEvent> find(String capability, boolean granted, String comm) {
        return events.stream().filter(e -> e instanceof CapabilityEvent).map(e -> (CapabilityEvent) e)
                .filter(e -> e.capability().equals(capability) && e.granted() == granted && e.header().comm().equals(comm))
                .findFirst();
    }

    @Test
    void chownAndARawSocketAreGrantedAndTheDroppedCapabilityIsRefused() {
        CapabilityEvent chown = find("CAP_CHOWN", true, "chown").orElseThrow(() -> new AssertionError("no CAP_CHOWN: " + events));
        assertEquals(0, chown.cap());
        assertEquals("", chown.error());
        assertTrue(chown.syscall().contains("chown"), "checked in a chown call: " + chown.syscall());
        long all = chown.header().cgroupId();
        CapabilityEvent raw = events.stream().filter(e -> e instanceof CapabilityEvent c && c.capability().equals("CAP_NET_RAW")
                && c.granted() && c.header().cgroupId() == all).map(e -> (CapabilityEvent) e).findFirst()
                .orElseThrow(() -> new AssertionError("the default capabilities grant NET_RAW: " + events));
        assertEquals("socket", raw.syscall());
        CapabilityEvent refused = find("CAP_NET_RAW", false, "arping").orElseThrow();
        assertFalse(refused.header().cgroupId() == all, "refused in the --cap-drop NET_RAW container only");
        assertEquals("EPERM", refused.error());
        assertEquals("socket", refused.syscall());
    }

    @Test
    void theKernelCountsEveryCheckAndTheRuntimesSetupIsMarkedApart() {
        long all = find("CAP_CHOWN", true, "chown").orElseThrow().header().cgroupId();
        List<CapabilityUse> uses = tracker.uses().stream()
                .filter(u -> u.container().id().equals(Long.toString(all))).toList();
        CapabilityUse chown = uses.stream().filter(u -> u.capability().equals("CAP_CHOWN") && u.comm().equals("chown"))
                .findFirst().orElseThrow(() -> new AssertionError(uses.toString()));
        assertTrue(chown.checks() >= 1 && chown.granted() && !chown.runtimeSetup(), chown.toString());
        assertTrue(uses.stream().anyMatch(u -> u.runtimeSetup() && u.comm().startsWith("runc:")),
                "runc's own checks while setting the container up: " + uses);

        Map<String, Long> tallies = tracker.of(ContainerRef.unnamed(Long.toString(all), "cgroup"));
        assertTrue(tallies.getOrDefault("CAP_CHOWN granted", 0L) >= 1, tallies.toString());
        assertTrue(tallies.getOrDefault("CAP_NET_RAW granted", 0L) >= 1, tallies.toString());
        assertTrue(tallies.keySet().stream().anyMatch(k -> k.endsWith(" runtime")), tallies.toString());
    }

    static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
