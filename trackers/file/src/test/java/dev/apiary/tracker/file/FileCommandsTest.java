package dev.apiary.tracker.file;

import dev.apiary.sdk.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Subscription;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The commands against a fake tracker: what they print and what they refuse. */
class FileCommandsTest {

    static final ContainerRef WEB = new ContainerRef("3f2a1b9c0d12aa55" + "0".repeat(48), "web", "nginx", "docker",
            Map.of(), "", "");
    static final ContainerRef DB = new ContainerRef("77aa00bb11cc22dd" + "0".repeat(48), "db", "postgres", "docker",
            Map.of(), "", "");

    private final List<List<FileUsage>> frames = new ArrayList<>();
    private int frame;
    private final List<FileEvent> published = new ArrayList<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private final FileCommands.Source source = new FileCommands.Source() {
        @Override
        public List<FileUsage> usage() {
            return frames.get(Math.min(frame++, frames.size() - 1));
        }

        @Override
        public Containers containers() {
            return new Containers() {
                @Override
                public List<Container> list() {
                    return List.of();
                }

                @Override
                public Optional<Container> find(String word) {
                    return Optional.empty();
                }

                @Override
                public ContainerRef ofPid(int pid) {
                    return ContainerRef.HOST;
                }

                @Override
                public ContainerRef ofCgroup(long id) {
                    return ContainerRef.HOST;
                }
            };
        }
    };

    /** Hands every published event to a new subscriber at once, as if they happened now. */
    private final Events events = (name, subscriber) -> {
        published.stream().filter(subscriber.filter()::matches).forEach(subscriber::onEvent);
        return new Subscription() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long delivered() {
                return 0;
            }

            @Override
            public long dropped() {
                return 0;
            }

            @Override
            public int queued() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
    };

    private final FileCommands commands = new FileCommands(() -> Optional.of(source), events, () -> out, nanos -> { });

    static FileUsage usage(ContainerRef c, String path, long read, long written) {
        return new FileUsage(c == WEB ? 10 : 20, 60, path.hashCode(), c, path, false, read, written, 1, 1, 0);
    }

    static FileEvent event(ContainerRef c, int op, String path, int flags, int ret, boolean created) {
        EventHeader h = new EventHeader(1_000_000_000L, 10, 42, 42, 1, 0, 0, 1, 2, 3, op, 0, "sh");
        return new FileEvent(h, c, "openat", path, "", path, "", op == FileDecoder.OPEN ? Flags.open(flags) : "", "", -1, -1,
                ret, ret < 0 ? Errno.name(-ret) : "", created, Kind.words(FileDecoder.kinds(op, flags, created)), false);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void topSortsByBytesThenByWhatChangedSinceTheLastRefresh() throws Exception {
        frames.add(List.of(usage(WEB, "/var/log/a", 100, 5000), usage(WEB, "/etc/b", 2048, 0)));
        frames.add(List.of(usage(WEB, "/var/log/a", 100, 5000), usage(WEB, "/etc/b", 4096, 0)));
        commands.top(false, "2", "2", "20", "", "", "");
        String[] lines = printed().split("\n");
        assertTrue(lines[0].endsWith("2 files; bytes since the tracker started"), lines[0]);
        assertTrue(lines[2].endsWith("/var/log/a") && lines[2].contains("4.9 KiB") && lines[2].contains("  -  "), lines[2]);
        assertTrue(lines[3].endsWith("/etc/b"), lines[3]);
        // Second refresh: /etc/b grew by 2 KiB, /var/log/a not at all.
        assertTrue(lines[5].startsWith("CONTAINER"), printed());
        assertTrue(lines[6].endsWith("/etc/b") && lines[6].contains("4.0 KiB"), lines[6]);
        assertTrue(lines[7].endsWith("/var/log/a") && lines[7].contains(" 0 B "), lines[7]);
    }

    @Test
    void topFiltersByPathPrefixKindAndContainerAndWritesJson() throws Exception {
        frames.add(List.of(usage(WEB, "/var/log/a", 0, 5000), usage(WEB, "/var/lib/b", 7, 0), usage(DB, "/var/log/c", 0, 9)));
        FileCommands forWeb = new FileCommands(() -> Optional.of(new FileCommands.Source() {
            @Override
            public List<FileUsage> usage() {
                return frames.get(0);
            }

            @Override
            public Containers containers() {
                return new Fixed(List.of(WEB, DB));
            }
        }), events, () -> out, nanos -> { });
        forWeb.top(true, "1", "1", "20", "/var/log", "write", "web");
        String json = printed().strip();
        assertTrue(json.startsWith("{\"time\":"), json);
        assertTrue(json.contains("\"matching\":1,\"files\":[{\"container\":"), json);
        assertTrue(json.contains("\"path\":\"/var/log/a\",\"path_cut\":false,\"dev\":\"0:60\""), json);
        assertTrue(json.contains("\"write_bytes\":5000"), json);
        assertTrue(json.contains("\"read_bytes_per_s\":null"), json);
        assertEquals(1, json.lines().count());
    }

    @Test
    void eventsFilterByKindPathAndFailure() throws Exception {
        published.add(event(WEB, FileDecoder.OPEN, "/tmp/f", Flags.O_WRONLY | Flags.O_CREAT | Flags.O_TRUNC, 3, true));
        published.add(event(WEB, FileDecoder.OPEN, "/etc/passwd", Flags.O_RDONLY, 3, false));
        published.add(event(WEB, FileDecoder.UNLINK, "/tmp/f", 0, 0, false));
        published.add(event(WEB, FileDecoder.OPEN, "/nonexistent", Flags.O_RDONLY, -2, false));

        commands.events(false, "/tmp/", "create,delete", false, "2", "");
        String[] lines = printed().split("\n");
        assertEquals(3, lines.length, printed());
        assertTrue(lines[0].startsWith("TIME"), lines[0]);
        assertTrue(lines[1].contains(" open ") && lines[1].contains("write,create") && lines[1].contains("O_WRONLY|O_CREAT|O_TRUNC")
                && lines[1].endsWith("/tmp/f"), lines[1]);
        assertTrue(lines[2].contains(" unlink ") && lines[2].contains("delete"), lines[2]);

        bytes.reset();
        commands.events(true, "", "", true, "1", "");
        String json = printed().strip();
        assertTrue(json.contains("\"type\":\"open\""), json);
        assertTrue(json.contains("\"path\":\"/nonexistent\""), json);
        assertTrue(json.contains("\"ret\":-2,\"error\":\"ENOENT\""), json);
        assertTrue(json.contains("\"kinds\":[\"read\"]"), json);
    }

    @Test
    void everyWrongArgumentIsOneClearLine() {
        assertEquals("--interval must be a number of seconds from 0.1 to 3600, not 'abc'",
                assertThrows(IllegalArgumentException.class, () -> commands.top(false, "abc", "1", "20", "", "", "")).getMessage());
        assertEquals("--interval must be a number of seconds from 0.1 to 3600, not '0'",
                assertThrows(IllegalArgumentException.class, () -> commands.top(false, "0", "1", "20", "", "", "")).getMessage());
        assertEquals("--count must be 0 (until Ctrl-C) or a positive whole number, not '-1'",
                assertThrows(IllegalArgumentException.class, () -> commands.events(false, "", "", false, "-1", "")).getMessage());
        assertEquals("--rows must be a whole number of 1 or more, not 'x'",
                assertThrows(IllegalArgumentException.class, () -> commands.top(false, "1", "1", "x", "", "", "")).getMessage());
        assertEquals("unknown kind 'exec': use read, write, create or delete (several separated by commas)",
                assertThrows(IllegalArgumentException.class, () -> commands.events(false, "", "read,exec", false, "1", "")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.top(false, "1", "1", "5", "", "delete", ""))
                .getMessage().startsWith("file:top --kind takes read or write"));
        assertEquals("no container named 'nosuch' (give a name, an id or an id prefix; apiary:containers lists them)",
                assertThrows(IllegalArgumentException.class, () -> commands.events(false, "", "", false, "1", "nosuch")).getMessage());
        assertEquals("", printed(), "nothing printed for a refused command");
    }

    @Test
    void aStoppedTrackerIsSaidSo() {
        FileCommands stopped = new FileCommands(Optional::empty, events, () -> out, nanos -> { });
        assertEquals("the file tracker is not running (tracker:start file)",
                assertThrows(IllegalStateException.class, () -> stopped.top(false, "1", "1", "5", "", "", "")).getMessage());
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

    /** Containers that know a fixed list. */
    record Fixed(List<ContainerRef> refs) implements Containers {
        @Override
        public List<Container> list() {
            return List.of();
        }

        @Override
        public Optional<Container> find(String word) {
            return refs.stream().filter(r -> r.matches(word)).findFirst().map(FileCommandsTest::container);
        }

        @Override
        public ContainerRef ofPid(int pid) {
            return ContainerRef.HOST;
        }

        @Override
        public ContainerRef ofCgroup(long id) {
            return ContainerRef.HOST;
        }
    }

    static Container container(ContainerRef ref) {
        return new Container(ref, 1, 0, "", 0, 0, 0, true, null);
    }
}
