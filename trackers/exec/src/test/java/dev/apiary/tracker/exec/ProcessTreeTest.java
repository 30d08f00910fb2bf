package dev.apiary.tracker.exec;

import static dev.apiary.tracker.exec.Fixtures.DB;
import static dev.apiary.tracker.exec.Fixtures.SECOND;
import static dev.apiary.tracker.exec.Fixtures.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.testing.ControlCharacters;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {

    private static final long NOW = 100_000 * SECOND;

    private static final List<ProcessInfo> PROCESSES = List.of(
            Fixtures.process(ContainerRef.HOST, 1, 0, 0, 0, "/sbin/init"),
            Fixtures.process(ContainerRef.HOST, 900, 1, 0, 10 * SECOND, "/usr/bin/containerd-shim-runc-v2"),
            Fixtures.process(WEB, 1000, 900, 0, NOW - 7384 * SECOND, "nginx: master process"),
            Fixtures.process(WEB, 1002, 1000, 101, NOW - 7380 * SECOND, "nginx: worker process"),
            Fixtures.process(WEB, 1001, 1000, 101, NOW - 7381 * SECOND, "nginx: worker process"),
            Fixtures.process(WEB, 1010, 1001, 101, NOW - 42 * SECOND, "/bin/sh", "-c", "logrotate"),
            Fixtures.process(DB, 2000, 900, 999, NOW - 3 * 86400 * SECOND - 5 * 3600 * SECOND, "postgres"));

    @Test
    void containersComeFirstByNameEachAsATreeAndTheHostLast() {
        String expected = """
                db (77aa00bb11cc, docker, postgres:17): 1 process
                    PID     PPID     UID     AGE  COMMAND
                   2000      900     999   3d05h  postgres

                web (3f2a1b9c0d12, docker, nginx:1.27): 4 processes
                    PID     PPID     UID     AGE  COMMAND
                   1000      900       0   2h03m  nginx: master process
                   1001     1000     101   2h03m  ├─ nginx: worker process
                   1010     1001     101     42s  │  └─ /bin/sh -c logrotate
                   1002     1000     101   2h03m  └─ nginx: worker process

                host: 2 processes
                    PID     PPID     UID     AGE  COMMAND
                      1        0       0   1d03h  /sbin/init
                    900        1       0   1d03h  └─ /usr/bin/containerd-shim-runc-v2
                """;
        assertEquals(expected, ProcessTree.of(PROCESSES).text(NOW));
    }

    @Test
    void oneContainerAlone() {
        String text = ProcessTree.of(PROCESSES).only(DB).text(NOW);
        assertEquals("""
                db (77aa00bb11cc, docker, postgres:17): 1 process
                    PID     PPID     UID     AGE  COMMAND
                   2000      900     999   3d05h  postgres
                """, text);
    }

    @Test
    void jsonListsProcessesInTreeOrderWithTheirDepth() {
        String json = ProcessTree.of(PROCESSES).only(WEB).json(NOW);
        assertEquals("{\"containers\":[{\"id\":\"" + WEB.id() + "\",\"name\":\"web\",\"image\":\"nginx:1.27\","
                + "\"runtime\":\"docker\",\"processes\":["
                + "{\"pid\":1000,\"ppid\":900,\"uid\":0,\"ageSeconds\":7384,\"depth\":0,\"comm\":\"nginx: master process\","
                + "\"path\":\"nginx: master process\",\"args\":[\"nginx: master process\"],\"argsCut\":false,"
                + "\"commandLine\":\"nginx: master process\"},"
                + "{\"pid\":1001,\"ppid\":1000,\"uid\":101,\"ageSeconds\":7381,\"depth\":1,\"comm\":\"nginx: worker process\","
                + "\"path\":\"nginx: worker process\",\"args\":[\"nginx: worker process\"],\"argsCut\":false,"
                + "\"commandLine\":\"nginx: worker process\"},"
                + "{\"pid\":1010,\"ppid\":1001,\"uid\":101,\"ageSeconds\":42,\"depth\":2,\"comm\":\"sh\","
                + "\"path\":\"/bin/sh\",\"args\":[\"/bin/sh\",\"-c\",\"logrotate\"],\"argsCut\":false,"
                + "\"commandLine\":\"/bin/sh -c logrotate\"},"
                + "{\"pid\":1002,\"ppid\":1000,\"uid\":101,\"ageSeconds\":7380,\"depth\":1,\"comm\":\"nginx: worker process\","
                + "\"path\":\"nginx: worker process\",\"args\":[\"nginx: worker process\"],\"argsCut\":false,"
                + "\"commandLine\":\"nginx: worker process\"}]}]}", json);
    }

    @Test
    void jsonEscapesWhatArgumentsMayHold() {
        ProcessInfo p = Fixtures.process(ContainerRef.HOST, 5, 1, 0, NOW, "/bin/echo", "a \"quoted\"\tline\n", "\\", "\u0001");
        String json = ProcessTree.of(List.of(p)).json(NOW);
        assertEquals(true, json.contains("\"args\":[\"/bin/echo\",\"a \\\"quoted\\\"\\tline\\n\",\"\\\\\",\"\\u0001\"]"), json);
    }

    @Test
    void textEscapesWhatAContainerChose() {
        ContainerRef evil = new ContainerRef("e0e0" + "0".repeat(60), ControlCharacters.HOSTILE, ControlCharacters.HOSTILE,
                "docker", java.util.Map.of(), "", "");
        ProcessInfo parent = Fixtures.process(evil, 10, 1, 0, NOW, ControlCharacters.HOSTILE, "-c", "a\nforged line");
        ProcessInfo child = new ProcessInfo(11, 10, 0, evil, ControlCharacters.HOSTILE, "", List.of(), false, NOW);
        String text = ProcessTree.of(List.of(parent, child)).text(NOW);
        ControlCharacters.assertNone(text);
        assertEquals(4, text.split("\n").length, text); // heading, header, two processes: no forged line
        assertEquals(true, text.contains("-c a\\nforged line\n"), text);
        assertEquals(true, text.contains("└─ [x\\x1b[31mRED"), text); // comm, as ps shows a process without arguments
    }

    @Test
    void aParentLoopStillShowsEveryProcess() {
        List<ProcessInfo> loop = List.of(
                Fixtures.process(ContainerRef.HOST, 7, 8, 0, NOW, "/bin/a"),
                Fixtures.process(ContainerRef.HOST, 8, 7, 0, NOW, "/bin/b"));
        List<ProcessTree.Node> nodes = ProcessTree.of(loop).groups().get(0).nodes();
        assertEquals(List.of(7, 8), nodes.stream().map(n -> n.process().pid()).toList());
    }

    @Test
    void agesUseTheTwoLargestUnits() {
        assertEquals("0s", ProcessTree.age(-5));
        assertEquals("59s", ProcessTree.age(59 * SECOND + 999_999_999));
        assertEquals("1m00s", ProcessTree.age(60 * SECOND));
        assertEquals("59m59s", ProcessTree.age(3599 * SECOND));
        assertEquals("1h00m", ProcessTree.age(3600 * SECOND));
        assertEquals("1d00h", ProcessTree.age(86400 * SECOND));
    }
}
