package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ${trackerName}: commands without the kernel: the tracker's table filled by hand, the
 * containers and the event stream from the SDK's test helpers ({@code dev.apiary.sdk.testing}).
 */
class ${trackerClass}CommandsTest {

    static {
        // Its events name their tracker and type from the tracker's declaration, as core binds it.
        EventTypes.bind(new ${trackerClass}Tracker(TestConfig.defaults(${trackerClass}Tracker.Config.class)));
    }

    private static final ContainerRef WEB = TestContainers.WEB;
    private static final ContainerRef DB = TestContainers.DB;

    private final ${trackerClass}Tracker tracker = new ${trackerClass}Tracker(TestConfig.defaults(${trackerClass}Tracker.Config.class));
    private final TestEvents events = new TestEvents();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Optional<Containers> containers = Optional.of(TestContainers.running(WEB, DB));
    private final ${trackerClass}Commands commands = new ${trackerClass}Commands(tracker, () -> containers, events,
            () -> new PrintStream(out, true, StandardCharsets.UTF_8));

    ${trackerClass}CommandsTest() {
        tracker.remember(open(WEB, 500, "cat", "/etc/hostname", 0, 1));
        tracker.remember(open(DB, 600, "postgres", "/var/lib/postgresql/data/base", 02, 2));
        tracker.remember(open(ContainerRef.HOST, 1, "systemd", "/proc/1/stat", 0, 3));
    }

    @Test
    void recentShowsEveryContainerOrTheOneItsWordNames() {
        List<String> all = commands.recent(false, "20").lines().toList();
        assertEquals(4, all.size(), all.toString());
        assertTrue(all.get(0).matches("TIME +CONTAINER +PID +COMMAND +FLAGS +PATH"), all.get(0));
        assertTrue(all.get(1).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +web +500 +cat +00 +/etc/hostname"), all.get(1));

        String web = commands.recent(false, "20", "web");
        assertEquals(2, web.lines().count(), web);
        assertEquals(web, commands.recent(false, "20", "3f2a1b"), "an id prefix");
        assertEquals(web, commands.recent(false, "20", WEB.id()), "the full id");
        assertTrue(commands.recent(false, "20", "host").contains("/proc/1/stat"));
        assertEquals(2, commands.recent(false, "1").lines().count(), "--count 1: the last one");
    }

    @Test
    void wrongWordsGetTheKitsText() {
        assertEquals("no container named nosuch; running: db, web (or 'host')",
                refused(() -> commands.recent(false, "20", "nosuch")));
        assertEquals("--count: 'abc' is not a count; give a whole number, 0 for no limit",
                refused(() -> commands.recent(false, "abc")));
        assertTrue(refused(() -> commands.recent(false, "20", "web", "db")).startsWith("give one container"));
        containers = Optional.empty();
        assertEquals("the ${trackerName} tracker is not running (tracker:start ${trackerName})",
                refused(() -> commands.recent(false, "20")));
    }

    @Test
    void recentAsJsonIsTheOneEventShape() {
        String json = commands.recent(true, "20", "web");
        assertTrue(json.startsWith("[{\"time\":\""), json);
        assertTrue(json.contains("\"tracker\":\"${trackerName}\",\"type\":\"open\",\"container\":{\"id\":\"" + WEB.id()
                + "\",\"name\":\"web\",\"image\":\"nginx:1.27\",\"runtime\":\"docker\"},\"pid\":500,"), json);
        assertTrue(json.endsWith("\"path\":\"/etc/hostname\",\"flags\":0}]"), json);
    }

    @Test
    void whatAContainerChoseIsEscapedInTextAndCarriedInJson() {
        String hostile = ControlCharacters.HOSTILE;
        ContainerRef evil = TestContainers.docker("e0e0", hostile, hostile);
        tracker.remember(open(evil, 700, hostile, hostile, 0, 4));
        String text = commands.recent(false, "20") + commands.recent(false, "20", "e0e0");
        ControlCharacters.assertNone(text);
        assertTrue(text.contains("x\\x1b[31mRED"), text);

        String json = commands.recent(true, "20", "e0e0");
        ControlCharacters.assertNone(json);
        assertTrue(json.contains("\"path\":\"x\\u001b[31mRED"), json);
    }

    @Test
    void tailPrintsTheChosenContainersOpensUntilCount() throws Exception {
        Thread command = Thread.ofPlatform().start(() -> {
            try {
                commands.tail(false, "2", "web");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.open() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        events.publish(open(DB, 601, "postgres", "/tmp/other", 0, 10), open(WEB, 501, "nginx", "/etc/nginx/nginx.conf", 0, 11),
                open(WEB, 502, "sh", "/tmp/out", 01101, 12));
        command.join(TimeUnit.SECONDS.toMillis(5));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("TIME          CONTAINER         "), lines.get(0));
        assertTrue(lines.get(1).endsWith("/etc/nginx/nginx.conf") && lines.get(2).contains(" 01101  /tmp/out"), lines.toString());
        assertEquals(0, events.open(), "the tail is closed");
    }

    private static String refused(Runnable r) {
        RuntimeException e = assertThrows(RuntimeException.class, r::run);
        return e.getMessage();
    }

    private static ${trackerClass}Event open(ContainerRef c, int pid, String comm, String path, int flags, int second) {
        return new ${trackerClass}Event(TestEvents.header(pid, comm, second * 1_000_000_000L), c, path, flags);
    }
}
