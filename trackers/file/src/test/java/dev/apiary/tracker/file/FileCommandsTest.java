package dev.apiary.tracker.file;

import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.testing.TestConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Errno;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The commands against a fake tracker and fake events: what they print and what they refuse. */
class FileCommandsTest {

    static {
        // Its events name their tracker and type from the tracker's declaration, as core binds it.
        EventTypes.bind(new FileTracker(TestConfig.defaults(FileTracker.Config.class)));
    }

    static final ContainerRef WEB = TestContainers.WEB;
    static final ContainerRef DB = TestContainers.DB;
    /** A container core never named whose bytes the kernel still holds; its id starts as web's. */
    static final ContainerRef BRIEF = TestContainers.docker("3f2a77", "", "");

    private final List<List<FileUsage>> frames = new ArrayList<>();
    private int frame;
    private final TestContainers containers = TestContainers.running(WEB, DB);
    private final TestEvents events = new TestEvents();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private final FileCommands.Source source = new FileCommands.Source() {
        @Override
        public List<FileUsage> usage() {
            return frames.isEmpty() ? List.of() : frames.get(Math.min(frame++, frames.size() - 1));
        }

        @Override
        public Containers containers() {
            return containers;
        }
    };

    private final FileCommands commands = new FileCommands(() -> Optional.of(source), events, () -> out, nanos -> { });

    static FileUsage usage(ContainerRef c, String path, long read, long written) {
        return new FileUsage(c == WEB ? 10 : 20, 60, path.hashCode(), c, path, false, read, written, 1, 1, 0);
    }

    static FileEvent event(ContainerRef c, int op, String path, int flags, int ret, boolean created) {
        return event(c, "sh", op, path, flags, ret, created);
    }

    static FileEvent event(ContainerRef c, String comm, int op, String path, int flags, int ret, boolean created) {
        EventHeader h = new EventHeader(1_000_000_000L, 10, 42, 42, 1, 0, 0, 1, 2, 3, op, 0, comm);
        return new FileEvent(h, c, "openat", path, "", path, "", op == FileDecoder.OPEN ? Flags.open(flags) : "", "", -1, -1,
                ret, ret < 0 ? Errno.name(-ret) : "", created, Kind.words(FileDecoder.kinds(op, flags, created)), false);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String refused(Executable command) {
        return assertThrows(IllegalArgumentException.class, command).getMessage();
    }

    /** Runs a live command on its own thread, publishes {@code published} once its tail is open, and waits for it to end. */
    private String tail(Executable command, FileEvent... published) throws Exception {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                command.execute();
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (events.open() == 0 && t.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        events.publish(published);
        t.join(5000);
        assertFalse(t.isAlive(), "the command ended at its --count");
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
        assertEquals(0, events.open(), "the command closed its tail");
        return printed();
    }

    // ---- file:top ---------------------------------------------------------------------

    @Test
    void topSortsByBytesThenByWhatChangedSinceTheLastRefresh() throws Exception {
        frames.add(List.of(usage(WEB, "/var/log/a", 100, 5000), usage(WEB, "/etc/b", 2048, 0)));
        frames.add(List.of(usage(WEB, "/var/log/a", 100, 5000), usage(WEB, "/etc/b", 4096, 0)));
        commands.top(false, "2", "2", "20", "", "");
        String[] lines = printed().split("\n");
        assertTrue(lines[0].endsWith("2 files; bytes since the tracker started"), lines[0]);
        assertTrue(lines[1].matches("CONTAINER\\s+READ\\s+WRITE\\s+READ/S\\s+WRITE/S\\s+FILE"), lines[1]);
        assertTrue(lines[2].matches("web\\s+100 B\\s+4\\.9 KiB\\s+-\\s+-\\s+/var/log/a"), lines[2]);
        assertTrue(lines[3].endsWith("/etc/b"), lines[3]);
        // Second refresh: /etc/b grew by 2 KiB, /var/log/a not at all.
        assertTrue(lines[5].startsWith("CONTAINER"), printed());
        assertTrue(lines[6].endsWith("/etc/b") && lines[6].contains("4.0 KiB"), lines[6]);
        assertTrue(lines[7].endsWith("/var/log/a") && lines[7].contains(" 0 B "), lines[7]);
    }

    @Test
    void topFiltersByPathPrefixKindAndContainerAndWritesJson() throws Exception {
        frames.add(List.of(usage(WEB, "/var/log/a", 0, 5000), usage(WEB, "/var/lib/b", 7, 0), usage(DB, "/var/log/c", 0, 9)));
        commands.top(true, "1", "1", "20", "/var/log", "write", "web");
        String json = printed().strip();
        assertTrue(json.startsWith("{\"time\":"), json);
        assertTrue(json.contains("\"matching\":1,\"files\":[{\"container\":{\"id\":\"" + WEB.id()
                + "\",\"name\":\"web\",\"image\":\"nginx:1.27\",\"runtime\":\"docker\"},"), json);
        assertTrue(json.contains("\"path\":\"/var/log/a\",\"path_cut\":false,\"dev\":\"0:60\""), json);
        assertTrue(json.contains("\"write_bytes\":5000"), json);
        assertTrue(json.contains("\"read_bytes_per_s\":null"), json);
        assertEquals(1, json.lines().count());
    }

    @Test
    void topTakesTheContainerWordAsEveryCommandDoes() throws Exception {
        frames.add(List.of(usage(WEB, "/w", 1, 0), usage(DB, "/d", 1, 0), usage(BRIEF, "/b", 1, 0),
                usage(ContainerRef.HOST, "/h", 1, 0)));
        for (String word : List.of("db", "77aa00", DB.id(), "/db")) {
            bytes.reset();
            commands.top(false, "1", "1", "20", "", "", word);
            assertTrue(printed().contains("1 file;") && printed().contains("/d\n"), word + ": " + printed());
        }
        bytes.reset();
        commands.top(false, "1", "1", "20", "", "", "host");
        assertTrue(printed().contains("1 file;") && printed().contains("/h\n"), printed());
        bytes.reset();
        commands.top(false, "1", "1", "20", "", "", "3f2a77");
        assertTrue(printed().contains("1 file;") && printed().contains("/b\n"), "a container only the kernel's map knows: " + printed());
        bytes.reset();
        commands.top(false, "1", "1", "20", "", "");
        assertTrue(printed().contains("4 files;"), printed());
        bytes.reset();
        assertEquals("'3f2a' is the start of 2 containers' ids: web (3f2a1b9c0d12), 3f2a77000000 (3f2a77000000);"
                + " give more of the id or the name", refused(() -> commands.top(false, "1", "1", "20", "", "", "3f2a")));
        assertEquals("no container named nosuch; running: 3f2a77000000, db, web (or 'host')",
                refused(() -> commands.top(false, "1", "1", "20", "", "", "nosuch")));
        assertTrue(refused(() -> commands.top(false, "1", "1", "20", "", "", "web", "db")).startsWith("give one container"));
        assertEquals("", printed());
    }

    // ---- file:events ------------------------------------------------------------------

    @Test
    void eventsFilterByKindPathAndFailure() throws Exception {
        FileEvent[] published = {
            event(WEB, FileDecoder.OPEN, "/tmp/f", Flags.O_WRONLY | Flags.O_CREAT | Flags.O_TRUNC, 3, true),
            event(WEB, FileDecoder.OPEN, "/etc/passwd", Flags.O_RDONLY, 3, false),
            event(WEB, FileDecoder.UNLINK, "/tmp/f", 0, 0, false),
            event(WEB, FileDecoder.OPEN, "/nonexistent", Flags.O_RDONLY, -2, false)};

        String[] lines = tail(() -> commands.events(false, "/tmp/", "create,delete", false, "2"), published).split("\n");
        assertEquals(3, lines.length, printed());
        assertTrue(lines[0].matches("TIME\\s+CONTAINER\\s+PID\\s+COMM\\s+OP\\s+KINDS\\s+RESULT\\s+FLAGS\\s+PATH"), lines[0]);
        assertTrue(lines[1].contains(" open ") && lines[1].contains("write,create") && lines[1].contains("O_WRONLY|O_CREAT|O_TRUNC")
                && lines[1].endsWith("/tmp/f"), lines[1]);
        assertTrue(lines[2].contains(" unlink ") && lines[2].contains("delete"), lines[2]);

        bytes.reset();
        String json = tail(() -> commands.events(true, "", "", true, "1"), published).strip();
        assertTrue(json.startsWith("{\"time\":\""), json);
        assertTrue(json.contains("\"tracker\":\"file\",\"type\":\"open\",\"container\":{\"id\":\"" + WEB.id()), json);
        assertTrue(json.contains("\"path\":\"/nonexistent\""), json);
        assertTrue(json.contains("\"ret\":-2,\"error\":\"ENOENT\""), json);
        assertTrue(json.contains("\"kinds\":[\"read\"]"), json);
        assertTrue(json.contains("\"resolved_path\":\"/nonexistent\""), "snake_case field keys: " + json);
    }

    @Test
    void eventsOfOneContainerOnly() throws Exception {
        String text = tail(() -> commands.events(false, "", "", false, "1", "db"),
                event(WEB, FileDecoder.OPEN, "/web-file", Flags.O_RDONLY, 3, false),
                event(DB, FileDecoder.OPEN, "/db-file", Flags.O_RDONLY, 3, false));
        assertEquals(2, text.lines().count(), text);
        assertTrue(text.lines().toList().get(1).matches("\\S+\\s+db\\s+42\\s+sh\\s+open\\s+read\\s+3\\s+O_RDONLY\\s+/db-file"), text);

        bytes.reset();
        String host = tail(() -> commands.events(false, "", "", false, "1", "host"),
                event(WEB, FileDecoder.OPEN, "/web-file", Flags.O_RDONLY, 3, false),
                event(ContainerRef.HOST, FileDecoder.OPEN, "/host-file", Flags.O_RDONLY, 3, false));
        assertTrue(host.endsWith("/host-file\n"), host);
    }

    @Test
    void hostilePathsCommsAndNamesAreEscapedInTextAndCarriedInJson() throws Exception {
        ContainerRef evil = TestContainers.docker("e0e0", ControlCharacters.HOSTILE, ControlCharacters.HOSTILE);
        containers.add(evil, true);
        FileEvent e = event(evil, ControlCharacters.HOSTILE, FileDecoder.OPEN, "/tmp/" + ControlCharacters.HOSTILE,
                Flags.O_RDONLY, 3, false);
        String text = tail(() -> commands.events(false, "", "", false, "1", "e0e0"), e);
        ControlCharacters.assertNone(text);
        assertTrue(text.contains("/tmp/x\\x1b[31mRED"), text);

        bytes.reset();
        String json = tail(() -> commands.events(true, "", "", false, "1"), e);
        ControlCharacters.assertNoneInJson(json);
        assertTrue(json.contains("\"comm\":\"x\\u001b[31mRED"), json);
        assertTrue(json.contains("\"path\":\"/tmp/x\\u001b[31mRED"), json);
        assertTrue(json.contains("\"name\":\"x\\u001b[31mRED"), json);

        frames.add(List.of(usage(evil, "/tmp/" + ControlCharacters.HOSTILE, 5, 5)));
        bytes.reset();
        commands.top(false, "1", "1", "20", "", "");
        ControlCharacters.assertNone(printed());
        assertTrue(printed().contains("/tmp/x\\x1b[31mRED"), printed());
        bytes.reset();
        commands.top(true, "1", "1", "20", "", "");
        ControlCharacters.assertNoneInJson(printed());
        assertTrue(printed().contains("\"path\":\"/tmp/x\\u001b[31mRED"), printed());
    }

    // ---- arguments --------------------------------------------------------------------

    @Test
    void everyWrongArgumentIsOneClearLine() {
        assertEquals("--interval: 'abc' is not a duration; give e.g. 500ms, 2s or 1m",
                refused(() -> commands.top(false, "abc", "1", "20", "", "")));
        assertEquals("--interval: '0' is not a duration; give e.g. 500ms, 2s or 1m",
                refused(() -> commands.top(false, "0", "1", "20", "", "")));
        assertEquals("--interval: '50ms' is out of range; give 100ms to 1h",
                refused(() -> commands.top(false, "50ms", "1", "20", "", "")));
        assertEquals("--count: '-1' is not a count; give a whole number, 0 for no limit",
                refused(() -> commands.events(false, "", "", false, "-1")));
        assertEquals("--count: 'x' is not a count; give a whole number, 0 for no limit",
                refused(() -> commands.top(false, "1", "x", "20", "", "")));
        assertEquals("--rows: 'x' is not a whole number from 1 to 100000", refused(() -> commands.top(false, "1", "1", "x", "", "")));
        assertEquals("unknown kind 'exec': use read, write, create or delete (several separated by commas)",
                refused(() -> commands.events(false, "", "read,exec", false, "1")));
        assertTrue(refused(() -> commands.top(false, "1", "1", "5", "", "delete")).startsWith("file:top --kind takes read or write"));
        assertEquals("no container named nosuch; running: db, web (or 'host')",
                refused(() -> commands.events(false, "", "", false, "1", "nosuch")));
        assertEquals("", printed(), "nothing printed for a refused command");
        assertEquals(0, events.open(), "no tail left open");
    }

    @Test
    void aStoppedTrackerIsSaidSo() {
        FileCommands stopped = new FileCommands(Optional::empty, events, () -> out, nanos -> { });
        assertEquals("the file tracker is not running (tracker:start file)",
                assertThrows(IllegalStateException.class, () -> stopped.top(false, "1", "1", "5", "", "")).getMessage());
        assertEquals("the file tracker is not running (tracker:start file)",
                assertThrows(IllegalStateException.class, () -> stopped.events(false, "", "", false, "1")).getMessage());
    }

    @Test
    void kindsOfOperations() {
        assertEquals(Set.of(Kind.READ), FileDecoder.kinds(FileDecoder.OPEN, Flags.O_RDONLY, false));
        assertEquals(Set.of(Kind.READ, Kind.WRITE, Kind.CREATE), FileDecoder.kinds(FileDecoder.OPEN, Flags.O_RDWR | Flags.O_CREAT, true));
        assertEquals(Set.of(Kind.READ, Kind.WRITE), FileDecoder.kinds(FileDecoder.OPEN, Flags.O_RDONLY | Flags.O_TRUNC, false));
        assertEquals(Set.of(), FileDecoder.kinds(FileDecoder.OPEN, Flags.O_PATH, false));
        assertEquals(Set.of(Kind.CREATE, Kind.DELETE), FileDecoder.kinds(FileDecoder.RENAME, 0, false));
        assertEquals("O_RDONLY|O_CLOEXEC", Flags.open(02000000));
        assertEquals("O_WRONLY|O_CREAT|O_APPEND|0x40000000", Flags.open(1 | 0100 | 02000 | 0x40000000));
        assertEquals("AT_REMOVEDIR", Flags.at(0x200));
        assertEquals("/tmp/b/c", FileDecoder.resolve("../b/./c", "/tmp/a", true));
        assertEquals("/proc/self/fd", FileDecoder.resolve("fd", "/proc/self/fd", false));
        assertEquals("", FileDecoder.resolve("x", "", false));
    }
}
