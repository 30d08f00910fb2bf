package dev.apiary.tracker.syscall;

import dev.apiary.sdk.EventTypes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.SyscallNames;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The three commands against a table, fake containers and a fake trace: what they print and what they refuse. */
class SyscallCommandsTest {

    static {
        // Its events name their tracker and type from the tracker's declaration, as core binds it.
        EventTypes.bind(new SyscallTracker(TestConfig.defaults(SyscallTracker.Config.class)));
    }

    private static final ContainerRef WEB = TestContainers.WEB;
    private static final ContainerRef DB = TestContainers.DB;
    /** Known to core, not running. */
    private static final ContainerRef STOPPED = TestContainers.docker("99ee", "batch", "alpine");
    /** A container core never named whose counts the table holds; its id starts as web's. */
    private static final ContainerRef BRIEF = TestContainers.docker("3f2a77", "", "");
    /** WEB's cgroup id as TestContainers gives it (the first one added). */
    private static final long WEB_CGROUP = 5000;
    private static final SyscallNames NAMES;

    static {
        String[] n = new String[512];
        n[0] = "read";
        n[1] = "write";
        n[59] = "execve";
        n[257] = "openat";
        NAMES = SyscallNames.of(n);
    }

    private final SyscallTable table = new SyscallTable(512);
    private final TestContainers containers = TestContainers.running(WEB, DB).add(STOPPED, false);
    private final FakeTrace trace = new FakeTrace();
    private long rateLimited;
    private final SyscallTracker.KernelMisses misses = new SyscallTracker.KernelMisses() {
        @Override
        public long slotsFull() {
            return 0;
        }

        @Override
        public long rateLimited() {
            return rateLimited;
        }
    };
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    /** The tracker's settings, as DS hands them over; a test may change them. */
    private SyscallTracker.Config config = TestConfig.defaults(SyscallTracker.Config.class);
    /** The commands' clock (CLOCK_BOOTTIME ns); the table's counts are stamped at 0. */
    private long now;
    private final SyscallCommands commands = new SyscallCommands(
            () -> Optional.of(new SyscallTracker.Running(table, NAMES, containers, trace, misses, config)), () -> now, () -> out);

    SyscallCommandsTest() {
        table.add(Map.of(1L, counts(257, 3, 0, 9), 2L, counts(59, 4), 3L, counts(1, 2), 4L, counts(0, 1)), 0,
                id -> switch ((int) id) {
                    case 1 -> WEB;
                    case 2 -> DB;
                    case 3 -> BRIEF;
                    default -> ContainerRef.HOST;
                });
    }

    /** A trace that hands the subscriber what a test queued for it as soon as it starts. */
    private final class FakeTrace implements SyscallTracker.Tracing {
        final List<SyscallEvent> events = new ArrayList<>();
        long cgroup = -1, rate, burst;
        boolean running, closed;

        @Override
        public AutoCloseable start(long cgroupId, long rate, long burst, String who, EventSubscriber subscriber) {
            if (running) {
                throw new IllegalStateException("a trace of " + who + " runs already (one at a time)");
            }
            running = true;
            cgroup = cgroupId;
            this.rate = rate;
            this.burst = burst;
            events.forEach(subscriber::onEvent);
            rateLimited += 5;
            return () -> {
                running = false;
                closed = true;
            };
        }
    }

    private static long[] counts(int... nrAndCount) {
        long[] c = new long[512];
        for (int i = 0; i < nrAndCount.length; i += 2) {
            c[nrAndCount[i]] = nrAndCount[i + 1];
        }
        return c;
    }

    private static SyscallEvent event(long cgroup, String comm, int nr, String name, long ret) {
        EventHeader h = new EventHeader(1_000_000_000L, cgroup, 42, 43, 1, 0, 0, 1, 2, 3, 0, 0, comm);
        return new SyscallEvent(h, WEB, nr, name, List.of(3L, 0x7ffdL, 4096L, 0L, 0L, 0L), ret, 2500);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String refused(Executable command) {
        return assertThrows(IllegalArgumentException.class, command).getMessage();
    }

    // ---- syscall:counts ---------------------------------------------------------------

    @Test
    void countsIsATableByCountForANameAnIdOrAPrefix() {
        String byName = commands.counts(false, "web");
        assertEquals("""
                web: 12 syscalls, 2 kinds
                SYSCALL   NR  COUNT
                read       0      9
                openat   257      3
                """, byName);
        assertEquals(byName, commands.counts(false, "3f2a1b"));
        assertEquals(byName, commands.counts(false, WEB.id()));
        assertEquals(byName, commands.counts(false, "/web"));
        assertTrue(commands.counts(false, "host").startsWith("host: 1 syscalls, 1 kinds\n"));
        assertTrue(commands.counts(false, "3f2a77").startsWith("3f2a77000000: 2 syscalls"), "a container only the table knows");
        assertEquals("batch: no syscalls counted", commands.counts(false, "batch"));
    }

    @Test
    void countsJsonNamesTheContainerAsEveryOutputDoes() {
        assertEquals("{\"container\":{\"id\":\"" + WEB.id() + "\",\"name\":\"web\",\"image\":\"nginx:1.27\",\"runtime\":\"docker\"},"
                + "\"total\":12,\"syscalls\":[{\"nr\":0,\"name\":\"read\",\"count\":9},{\"nr\":257,\"name\":\"openat\",\"count\":3}]}",
                commands.counts(true, "web"));
    }

    @Test
    void anUnknownOrAmbiguousContainerIsTheKitsError() {
        assertEquals("no container named nosuch; running: 3f2a77000000, db, web (or 'host')",
                refused(() -> commands.counts(false, "nosuch")));
        assertEquals("'3f2a' is the start of 2 containers' ids: web (3f2a1b9c0d12), 3f2a77000000 (3f2a77000000);"
                + " give more of the id or the name", refused(() -> commands.counts(false, "3f2a")));
        assertEquals("no container named nosuch; running: 3f2a77000000, db, web (or 'host')",
                refused(() -> commands.top("1", false, "1", "12", "web", "nosuch")));
        assertEquals("", printed(), "nothing printed for a refused command");
    }

    @Test
    void aStoppedTrackerIsSaidSo() {
        SyscallCommands stopped = new SyscallCommands(Optional::empty, () -> 0, () -> out);
        assertEquals("the syscall tracker is not running (tracker:start syscall)",
                assertThrows(IllegalStateException.class, () -> stopped.counts(false, "web")).getMessage());
    }

    // ---- syscall:top ------------------------------------------------------------------

    @Test
    void topShowsTheContainersItWasGivenOrEvery() throws Exception {
        commands.top("1", false, "1", "12", "web", "db", "web");
        String two = printed();
        assertTrue(two.startsWith("--- syscall:top ") && two.contains(", every 1s ---\n"), two);
        assertTrue(two.contains("web (3f2a1b9c0d12, nginx:1.27)  total 12  new 0\n"), two);
        assertTrue(two.contains("db (77aa00bb11cc, postgres:17)  total 4  new 0\n"), two);
        assertTrue(two.contains("    execve "), two);
        assertFalse(two.contains("host") || two.contains("3f2a77000000"), two);

        bytes.reset();
        commands.top("100ms", true, "2", "12", "host");
        String host = printed();
        assertTrue(host.startsWith("hiding terminal syscalls: read write"), host);
        assertEquals(2, host.lines().filter(l -> l.startsWith("--- syscall:top ")).count(), host);
        assertTrue(host.contains("every 100ms"), host);
        assertFalse(host.contains("web ("), host);

        bytes.reset();
        commands.top("1", false, "1", "12");
        String all = printed();
        for (String c : List.of("web (", "db (", "3f2a77000000 (", "host  total 1")) {
            assertTrue(all.contains(c), c + " in " + all);
        }
    }

    @Test
    void topRefusesBadOptionsWithTheKitsText() {
        assertEquals("--interval: 'x' is not a duration; give e.g. 500ms, 2s or 1m",
                refused(() -> commands.top("x", false, "1", "12")));
        assertEquals("--interval: '0' is not a duration; give e.g. 500ms, 2s or 1m",
                refused(() -> commands.top("0", false, "1", "12")));
        assertEquals("--interval: '10ms' is out of range; give 100ms to 1h",
                refused(() -> commands.top("10ms", false, "1", "12")));
        assertEquals("--count: '1.5' is not a count; give a whole number, 0 for no limit",
                refused(() -> commands.top("1", false, "1.5", "12")));
        assertEquals("--rows: '0' is not a whole number from 1 to 512", refused(() -> commands.top("1", false, "1", "0")));
        assertEquals("", printed());
    }

    @Test
    void topAndCountsEscapeAHostileContainerAndJsonCarriesIt() throws Exception {
        ContainerRef evil = TestContainers.docker("e0e0", ControlCharacters.HOSTILE, ControlCharacters.HOSTILE);
        containers.add(evil, true);
        table.add(Map.of(9L, counts(0, 7)), 0, id -> evil);
        commands.top("1", false, "1", "12", "e0e0");
        ControlCharacters.assertNone(printed());
        assertTrue(printed().contains("x\\x1b[31mRED"), printed());
        String text = commands.counts(false, "e0e0");
        ControlCharacters.assertNone(text);
        assertTrue(text.startsWith("x\\x1b[31mRED"), text);
        String json = commands.counts(true, "e0e0");
        ControlCharacters.assertNoneInJson(json);
        assertTrue(json.contains("\"name\":\"x\\u001b[31mRED"), json);
        String unknown = refused(() -> commands.counts(false, "no" + ControlCharacters.HOSTILE));
        ControlCharacters.assertNone(unknown);
        assertTrue(unknown.startsWith("no container named nox\\x1b[31mRED"), unknown);
    }

    // ---- syscall:trace ----------------------------------------------------------------

    @Test
    void tracePrintsTheTracedCgroupsSyscallsUntilCount() throws Exception {
        trace.events.add(event(WEB_CGROUP, "nginx", 0, "read", 12));
        trace.events.add(event(7777, "other", 1, "write", 1)); // another cgroup: not printed
        trace.events.add(event(WEB_CGROUP, "nginx", 257, "openat", -2));
        commands.trace("2", "0", "500", "50", false, "web");
        assertEquals(WEB_CGROUP, trace.cgroup);
        assertEquals(500, trace.rate);
        assertEquals(50, trace.burst);
        assertTrue(trace.closed, "the trace ends with the command");
        String[] lines = printed().split("\n");
        assertEquals(4, lines.length, printed());
        assertTrue(lines[0].matches("TIME\\s+PID\\s+TID\\s+COMM\\s+USEC\\s+SYSCALL"), lines[0]);
        assertTrue(lines[1].matches("\\S+\\s+42\\s+43\\s+nginx\\s+2\\.5\\s+read\\(0x3, 0x7ffd, 0x1000, 0x0, 0x0, 0x0\\) = 12"), lines[1]);
        assertTrue(lines[2].endsWith("openat(0x3, 0x7ffd, 0x1000, 0x0, 0x0, 0x0) = -2"), lines[2]);
        assertEquals("2 events, 5 dropped by the rate limit (500/s per CPU)", lines[3]);
    }

    @Test
    void traceJsonIsTheOneEventShapeAndAHostileCommIsEscapedInText() throws Exception {
        trace.events.add(event(WEB_CGROUP, ControlCharacters.HOSTILE, 0, "read", 12));
        commands.trace("1", "0", "1000", "100", true, "web");
        String json = printed().lines().findFirst().orElseThrow();
        assertTrue(json.startsWith("{\"time\":\""), json);
        assertTrue(json.contains("\"tracker\":\"syscall\",\"type\":\"syscall\",\"container\":{\"id\":\"" + WEB.id()), json);
        assertTrue(json.contains("\"comm\":\"x\\u001b[31mRED"), json);
        assertTrue(json.endsWith("\"nr\":0,\"name\":\"read\",\"args\":[3,32765,4096,0,0,0],\"ret\":12,\"duration_ns\":2500}"), json);
        ControlCharacters.assertNoneInJson(printed());

        bytes.reset();
        commands.trace("1", "0", "1000", "100", false, "web");
        ControlCharacters.assertNone(printed());
        assertTrue(printed().contains("x\\x1b[31mRED"), printed());
    }

    @Test
    void traceEndsAfterItsSeconds() throws Exception {
        long start = System.nanoTime();
        commands.trace("0", "1", "1000", "100", false, "db");
        assertTrue(System.nanoTime() - start >= 900_000_000L, "ran about a second");
        assertTrue(trace.closed);
        assertTrue(printed().endsWith("0 events, 5 dropped by the rate limit (1000/s per CPU)\n"), printed());
    }

    @Test
    void traceRefusesWhatItCannotFollow() {
        assertEquals("no container named nosuch; running: db, web", refused(() -> commands.trace("1", "0", "1", "1", false, "nosuch")));
        assertEquals("batch is not running", refused(() -> commands.trace("1", "0", "1", "1", false, "batch")));
        assertEquals("give a container: syscall:trace follows one container; the host's processes are not traced",
                refused(() -> commands.trace("1", "0", "1", "1", false, "host")));
        assertEquals("--rate: '0' is not a whole number from 1 to 1000000", refused(() -> commands.trace("0", "0", "0", "1", false, "web")));
        assertEquals("--count: '-1' is not a count; give a whole number, 0 for no limit",
                refused(() -> commands.trace("-1", "0", "1", "1", false, "web")));
        assertEquals("--seconds: 'x' is not a whole number from 0 to 86400", refused(() -> commands.trace("1", "x", "1", "1", false, "web")));
        assertEquals(-1, trace.cgroup, "no trace started");
        trace.running = true;
        assertEquals("a trace of web runs already (one at a time)",
                assertThrows(IllegalStateException.class, () -> commands.trace("1", "0", "1", "1", false, "web")).getMessage());
        assertEquals("", printed(), "nothing printed for a refused command");
    }

    // ---- settings ---------------------------------------------------------------------

    @Test
    void traceWithoutRateOrBurstTakesTheSettings() throws Exception {
        trace.events.add(event(WEB_CGROUP, "nginx", 0, "read", 12));
        commands.trace("1", "0", "", "", false, "web");
        assertEquals(1000, trace.rate, "the default setting");
        assertEquals(100, trace.burst);
        assertTrue(printed().endsWith("1 events, 5 dropped by the rate limit (1000/s per CPU)\n"), printed());

        config = TestConfig.of(SyscallTracker.Config.class, Map.of("trace_rate", 7, "trace_burst", 3));
        trace.running = false;
        bytes.reset();
        commands.trace("1", "0", "", "", false, "web");
        assertEquals(7, trace.rate);
        assertEquals(3, trace.burst);
        assertTrue(printed().endsWith("1 events, 5 dropped by the rate limit (7/s per CPU)\n"), printed());

        trace.running = false;
        commands.trace("1", "0", "20", "", false, "web");
        assertEquals(20, trace.rate, "--rate wins over the setting");
        assertEquals(3, trace.burst);
    }

    @Test
    void topWithoutIntervalRefreshesAtTheSettingAndKeepsIdleContainersForTheirTime() throws Exception {
        config = TestConfig.of(SyscallTracker.Config.class, Map.of("refresh_ms", 250, "top_idle_s", 3));
        now = 2_000_000_000L; // the table's counts are 2 s old: within 3 s
        commands.top("", false, "1", "12", "web");
        assertTrue(printed().contains(", every 250ms ---\n"), printed());
        assertTrue(printed().contains("web (3f2a1b9c0d12, nginx:1.27)"), printed());

        bytes.reset();
        now = 4_000_000_000L; // 4 s: gone
        commands.top("", false, "1", "12", "web");
        assertTrue(printed().endsWith("no syscalls in the last 3 s\n"), printed());

        bytes.reset();
        commands.top("2s", false, "1", "12", "web");
        assertTrue(printed().contains(", every 2s ---\n"), "--interval wins over the setting: " + printed());
    }
}
