package dev.apiary.sink.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.BootClock;
import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.ContainerTallies;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestEvents;
import dev.apiary.tracker.capability.CapabilityEvent;
import dev.apiary.tracker.exec.ExecEvent;
import dev.apiary.tracker.exec.ExitEvent;
import dev.apiary.tracker.file.FileEvent;
import dev.apiary.tracker.namespace.NamespaceEvent;
import dev.apiary.tracker.tcp.TcpEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink fed the trackers' own event records, as core's dispatcher would hand them over. */
class ReportSinkTest {

    static final ContainerRef WEB = TestContainers.WEB;
    static final List<String> FILE_OPS = FileEvent.OPERATIONS;

    @TempDir
    Path dir;

    private final TestEvents events = new TestEvents();
    private TestContainers containers;
    private ReportSink sink;
    private long ts = BootClock.nowNanos();

    @BeforeAll
    static void bindTheTrackersTypes() {
        EventTypes.bind("exec", List.of(new EventType("exec", ExecEvent.class, ""), new EventType("exit", ExitEvent.class, "")));
        EventTypes.bind("file", EventType.of(FileEvent.class, "open", "", "mknod", "", "mkdir", "", "unlink", "", "rmdir", "",
                "rename", "", "chmod", "", "chown", ""));
        EventTypes.bind("tcp", EventType.of(TcpEvent.class, "connect", "", "accept", "", "listen", "", "close", "", "state", ""));
        EventTypes.bind("namespace", EventType.of(NamespaceEvent.class, "clone", "", "unshare", "", "setns", ""));
        EventTypes.bind("capability", List.of(new EventType("check", CapabilityEvent.class, "")));
    }

    @BeforeEach
    void start() {
        containers = TestContainers.running(WEB, TestContainers.DB);
        sink = sink(Map.of("folder", dir.resolve("reports").toString(), "grace_ms", 0));
    }

    @AfterEach
    void stop() {
        sink.deactivate();
        assertEquals(0, events.open(), "the sink closed its subscription");
        assertEquals(0, containers.stopListeners(), "and its stop listener");
    }

    private ReportSink sink(Map<String, Object> settings) {
        return new ReportSink(events, containers, TestConfig.of(ReportSink.Config.class, settings), Path.of("/proc"));
    }

    // ---- events as the trackers make them ------------------------------------------------

    private EventHeader header(int pid, int ppid, String comm, int type) {
        ts += 1_000_000;
        return new EventHeader(ts, 5000, pid, pid, ppid, 0, 0, 1, 2, 3, type, 0, comm);
    }

    private ExecEvent exec(ContainerRef c, int pid, int ppid, String comm, long start, String path, String... args) {
        return new ExecEvent(header(pid, ppid, comm, 0), c, path, List.of(args), false, 0, false, false, start);
    }

    private ExitEvent exit(ContainerRef c, int pid, String comm, long start, int status) {
        return ExitEvent.fromWaitStatus(header(pid, 1, comm, 0), c, status, 5_000_000, start);
    }

    private FileEvent file(ContainerRef c, int pid, String op, String path, String newPath, int ret, boolean created,
            String... kinds) {
        return new FileEvent(header(pid, 1, "sh", FILE_OPS.indexOf(op)), c, "call", path, newPath, path, newPath, "", "",
                -1, -1, ret, ret < 0 ? "ENOENT" : "", created, List.of(kinds), false);
    }

    private TcpEvent tcp(int type, int pid, String comm, long id, String local, int lport, String remote, int rport,
            long sent, long received, String error) {
        return new TcpEvent(header(pid, 1, comm, type), WEB, id, "ipv4", local, lport, remote, rport, "", "", sent, received,
                0, error);
    }

    private void aWorkload() {
        long sh = ts, wget = ts + 1;
        events.publish(
                exec(WEB, 100, 90, "sh", sh, "/bin/busybox", "sh", "-c", "work"),
                exec(WEB, 101, 100, "wget", wget, "/bin/busybox", "=HYPERLINK(\"x\")", "http://10.0.0.2:8080/"),
                file(WEB, 100, "open", "/data/a", "", 3, true, "write", "create"),
                file(WEB, 100, "open", "/data/a", "", 3, false, "read"),
                file(WEB, 100, "rename", "/data/a", "/data/b", 0, false, "delete"),
                file(WEB, 100, "chown", "/data/b", "", 0, false, "write"),
                file(WEB, 100, "unlink", "/data/b", "", 0, false, "delete"),
                file(WEB, 100, "open", "/missing", "", -2, false, "read"),
                new NamespaceEvent(header(100, 90, "sh", 0), WEB, "unshare", List.of("mnt", "net"), Map.of(), 0, 0, "", -1, 0),
                tcp(1, 101, "wget", 7, "10.0.0.1", 40000, "10.0.0.2", 8080, 0, 0, ""),        // CONNECT
                tcp(1, 101, "wget", 8, "10.0.0.1", 40001, "10.0.0.3", 9, 0, 0, "ECONNREFUSED"),
                tcp(3, 100, "httpd", 9, "0.0.0.0", 80, "", 0, 0, 0, ""),                       // LISTEN
                tcp(2, 100, "httpd", 10, "10.0.0.1", 80, "10.0.0.9", 51000, 0, 0, ""),          // ACCEPT
                tcp(4, 101, "wget", 7, "10.0.0.1", 40000, "10.0.0.2", 8080, 120, 4000, ""),    // CLOSE
                tcp(4, 100, "httpd", 10, "10.0.0.1", 80, "10.0.0.9", 51000, 900, 70, ""),
                exit(WEB, 101, "wget", wget, 0),
                exit(WEB, 100, "sh", sh, 3 << 8),
                exec(TestContainers.DB, 200, 1, "postgres", ts, "/usr/bin/postgres", "postgres"),
                exec(ContainerRef.HOST, 300, 1, "bash", ts, "/bin/bash", "bash"));
    }

    @Test
    void theReportHoldsWhatTheContainerDidAndNothingOfOthers() {
        aWorkload();
        Report r = sink.report(WEB.id(), "asked").orElseThrow();
        assertEquals("web", r.container().name());
        assertEquals(19 - 2, r.observed().events(), "the db's and the host's events are not the web's");

        assertEquals(2, r.processes().size());
        Report.Process sh = r.processes().get(0), wget = r.processes().get(1);
        assertEquals(List.of("sh", "-c", "work"), sh.execs().get(0).args());
        assertEquals(3, sh.exit().exitCode());
        assertEquals(100, wget.ppid());
        assertEquals(0, wget.exit().exitCode());

        Map<String, Report.File> files = new java.util.LinkedHashMap<>();
        r.files().forEach(f -> files.put(f.path(), f));
        assertEquals(List.of("/data/a", "/data/b", "/missing"), List.copyOf(files.keySet()));
        assertEquals(List.of("read", "write", "create", "rename_from"), files.get("/data/a").operations(),
                "in the documented order, not the order done");
        assertEquals(List.of("delete", "rename_to", "chown"), files.get("/data/b").operations());
        assertEquals(List.of(), files.get("/missing").operations());
        assertEquals(Map.of("ENOENT", 1L), files.get("/missing").errors());

        List<Report.Connection> out = r.network().connections();
        assertEquals(2, out.size());
        assertEquals(new Report.Connection("10.0.0.2", 8080, 1, 0, Map.of(), 120, 4000, "wget", 101), out.get(0));
        assertEquals(Map.of("ECONNREFUSED", 1L), out.get(1).errors());
        Report.Listener httpd = r.network().listening().getFirst();
        assertEquals(80, httpd.localPort());
        assertEquals(List.of("10.0.0.9"), httpd.peers());
        assertEquals(900, httpd.bytesSent());

        assertEquals(List.of(new Report.NamespaceCall("unshare", "mnt", 1, 0), new Report.NamespaceCall("unshare", "net", 1, 0)),
                r.namespaces().calls());
        assertFalse(r.syscalls().counted(), "no syscall tracker runs");
    }

    @Test
    void whatTheRuntimeDidWhileSettingUpIsMarkedApartFromTheWorkload() {
        int self = (int) ProcessHandle.current().pid();
        sink.limits(pid -> pid == self ? Map.of("memory", "64.0 MiB") : Map.of());
        events.publish(
                new FileEvent(header(self, 1, "runc:[2:INIT]", FILE_OPS.indexOf("open")), WEB, "openat", "/proc/self/status",
                        "", "/proc/self/status", "", "", "", -1, -1, 3, "", false, List.of("read"), false),
                new FileEvent(header(self, 1, "runc:[2:INIT]", FILE_OPS.indexOf("open")), WEB, "openat", "/etc/hosts",
                        "", "/etc/hosts", "", "", "", -1, -1, 3, "", false, List.of("read"), false),
                new FileEvent(header(self, 1, "cat", FILE_OPS.indexOf("open")), WEB, "openat", "/etc/hosts",
                        "", "/etc/hosts", "", "", "", -1, -1, 3, "", false, List.of("read"), false),
                exit(WEB, 77, "runc:[1:CHILD]", 5, 0));
        Report r = sink.report(WEB.id(), "asked").orElseThrow();
        assertTrue(r.files().get(0).runtimeSetup(), "only runc read /proc/self/status");
        assertFalse(r.files().get(1).runtimeSetup(), "the workload read /etc/hosts too");
        assertTrue(r.processes().get(0).runtimeSetup());

        // The workload's first event (here: this test's own process) gives the namespaces.
        List<String> kinds = r.namespaces().ofContainer().stream().map(Report.Namespace::kind).toList();
        assertTrue(kinds.containsAll(List.of("mnt", "net", "pid", "uts")), kinds.toString());
        assertTrue(r.namespaces().ofContainer().stream().allMatch(n -> n.inode() > 0 && n.shared()),
                "this test's process shares the host's (Apiary's) namespaces: " + r.namespaces());
        assertEquals(Map.of("memory", "64.0 MiB"), r.namespaces().limits(), "limits read through the same process");
    }

    @Test
    void capabilitiesJoinTheKernelsCountsWithTheFirstChecksSeen() {
        sink.tallies(List.of(new ContainerTallies() {
            @Override
            public String tracker() {
                return "capability";
            }

            @Override
            public String counted() {
                return "capability checks";
            }

            @Override
            public Map<String, Long> of(ContainerRef container) {
                return Map.of("CAP_CHOWN granted", 3L, "CAP_SYS_ADMIN granted runtime", 9L);
            }
        }));
        events.publish(
                new CapabilityEvent(header(100, 1, "chown", 1), WEB, "CAP_CHOWN", 0, true, "", 260, "fchownat", 1, 1, 0),
                new CapabilityEvent(header(101, 1, "arping", 1), WEB, "CAP_NET_RAW", 13, false, "EPERM", 41, "socket", 1, 1, 0));
        List<Report.CapabilityCheck> checks = sink.report(WEB.id(), "asked").orElseThrow().capabilities().checks();
        assertTrue(sink.report(WEB.id(), "asked").orElseThrow().capabilities().tracked());
        assertEquals(3, checks.size(), checks.toString());
        Report.CapabilityCheck chown = checks.stream().filter(c -> c.capability().equals("CAP_CHOWN")).findFirst().orElseThrow();
        assertEquals(3, chown.checks());
        assertEquals("fchownat", chown.firstSyscall());
        assertEquals("chown", chown.firstComm());
        assertTrue(checks.stream().anyMatch(c -> c.capability().equals("CAP_SYS_ADMIN") && c.runtimeSetup() && c.checks() == 9));
        Report.CapabilityCheck raw = checks.stream().filter(c -> c.capability().equals("CAP_NET_RAW")).findFirst().orElseThrow();
        assertFalse(raw.granted(), "a refusal the kernel no longer counts still shows, from its first check");
    }

    @Test
    void theSummaryShowsTheWorkloadBeforeTheRuntimesSetupAndEscapesWhatTheContainerChose() {
        events.publish(
                new FileEvent(header(100, 1, "runc:[2:INIT]", FILE_OPS.indexOf("open")), WEB, "openat", "/proc/self/status",
                        "", "/proc/self/status", "", "", "", -1, -1, 3, "", false, List.of("read"), false),
                file(WEB, 100, "open", "/data/\u001b[2Jx", "", 3, true, "write", "create"));
        String text = ReportSummary.text(sink.report(WEB.id(), "asked").orElseThrow());
        assertTrue(text.indexOf("/data/\\x1b[2Jx") >= 0 && text.indexOf("/data/") < text.indexOf("/proc/self/status"), text);
        dev.apiary.sdk.testing.ControlCharacters.assertNone(text.replace("\n", ""));
    }

    @Test
    void syscallsComeFromTheTrackerThatCountsThem() {
        sink.tallies(List.of(new ContainerTallies() {
            @Override
            public String tracker() {
                return "syscall";
            }

            @Override
            public String counted() {
                return "syscalls";
            }

            @Override
            public Map<String, Long> of(ContainerRef container) {
                return container.equals(WEB) ? Map.of("read", 40L) : Map.of();
            }
        }));
        aWorkload();
        Report r = sink.report(WEB.id(), "asked").orElseThrow();
        assertTrue(r.syscalls().counted());
        assertEquals(List.of(new Report.Count("read", 40)), r.syscalls().counts());
    }

    @Test
    void aStopWritesTheReportAsJsonAndCsvThatAgreeAndValidate() throws Exception {
        aWorkload();
        Instant at = Instant.parse("2026-12-08T02:00:00Z");
        containers.stop(WEB, 3, at);
        Path folder = dir.resolve("reports").resolve("web-" + WEB.shortId());
        Path json = folder.resolve("report.json");
        awaitFile(json);
        for (String csv : ReportFiles.CSV_FILES) {
            awaitFile(folder.resolve(csv));
        }
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals(List.of(), ReportSchema.problems(report), "report.json validates against docs/reports.schema.json");
        assertEquals("stopped", report.get("reason").asText());
        assertEquals(3, report.get("container").get("exit_code").asInt());
        assertEquals(at.toString(), report.get("container").get("stopped").asText());

        List<Map<String, String>> processes = Csv.read(folder.resolve("processes.csv"));
        assertEquals(2, processes.size());
        assertEquals("'=HYPERLINK(\"x\") http://10.0.0.2:8080/", processes.get(1).get("args"),
                "an argument a spreadsheet would run is neutralised");
        assertEquals("=HYPERLINK(\"x\")", report.get("processes").get(1).get("execs").get(0).get("args").get(0).asText(),
                "and kept as it was in JSON");
        List<Map<String, String>> files = Csv.read(folder.resolve("files.csv"));
        assertEquals(report.get("files").size(), files.size());
        for (int i = 0; i < files.size(); i++) {
            JsonNode f = report.get("files").get(i);
            assertEquals(f.get("path").asText(), files.get(i).get("path"));
            List<String> ops = new ArrayList<>();
            f.get("operations").forEach(o -> ops.add(o.asText()));
            assertEquals(String.join(" ", ops), files.get(i).get("operations"));
        }
        List<Map<String, String>> conns = Csv.read(folder.resolve("connections.csv"));
        assertEquals("8080", conns.get(0).get("remote_port"));
        assertEquals("4000", conns.get(0).get("bytes_received"));
        assertEquals("3", Csv.read(folder.resolve("container.csv")).get(0).get("exit_code"));
        try (Stream<Path> left = Files.list(folder)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(),
                    "no temporary file is left");
        }
    }

    @Test
    void aReportThatCannotBeWrittenSaysWhyAndLeavesNothingHalfWritten() throws IOException {
        aWorkload();
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        IOException e = assertThrows(IOException.class,
                () -> sink.write(WEB.id(), "asked", ReportFiles.Format.ALL, notADir));
        assertTrue(ReportSink.describe(e).contains(notADir.toString()), ReportSink.describe(e));
        assertEquals("x", Files.readString(notADir));
        assertTrue(sink.report(WEB.id(), "asked").isPresent(), "the activity is still there to write elsewhere");
        assertEquals(List.of(dir.resolve("elsewhere").resolve("web-" + WEB.shortId()).resolve("report.json")),
                sink.write(WEB.id(), "asked", ReportFiles.Format.JSON, dir.resolve("elsewhere")), "json only: one file");
    }

    @Test
    void theBoundsKeepMemoryBoundedAndCountWhatTheyLeftOut() {
        sink.deactivate();
        sink = sink(Map.of("max_files", 3, "max_processes", 2, "max_execs_per_process", 1));
        for (int i = 0; i < 10; i++) {
            events.publish(file(WEB, 100, "open", "/f" + i, "", 3, true, "write", "create"));
            events.publish(exec(WEB, 100 + i, 1, "x", 1000 + i, "/bin/x", "x"));
        }
        events.publish(exec(WEB, 100, 1, "y", 1000, "/bin/y", "y"));
        Report r = sink.report(WEB.id(), "asked").orElseThrow();
        assertEquals(3, r.files().size());
        assertEquals(7, r.omitted().files());
        assertEquals(2, r.processes().size());
        assertEquals(8, r.omitted().processes());
        assertEquals(1, r.processes().get(0).execs().size());
        assertEquals(1, r.processes().get(0).execsOmitted());
    }

    @Test
    void aStoppedContainersActivityIsForgottenAfterKeepSeconds() throws Exception {
        sink.deactivate();
        sink = sink(Map.of("folder", dir.toString(), "on_stop", false, "grace_ms", 0, "keep_s", 0));
        aWorkload();
        containers.stop(WEB, 0, Instant.now());
        for (int i = 0; i < 100 && sink.report(WEB.id(), "asked").isPresent(); i++) {
            Thread.sleep(20);
        }
        assertTrue(sink.report(WEB.id(), "asked").isEmpty());
        assertTrue(sink.report(TestContainers.DB.id(), "asked").isPresent(), "a running one stays");
        try (Stream<Path> written = Files.list(dir)) {
            assertEquals(0, written.count(), "on_stop=false writes nothing");
        }
    }

    @Test
    void changedSettingsKeepWhatWasSeenAndBoundWhatComesNext() {
        aWorkload();
        sink.apply(TestConfig.of(ReportSink.Config.class, Map.of("max_files", 1, "folder", dir.toString())));
        assertEquals(3, sink.report(WEB.id(), "asked").orElseThrow().files().size(), "the web's activity is kept");
        ContainerRef api = TestContainers.docker("ab12", "api", "api:1");
        containers.add(api, true);
        events.publish(file(api, 400, "open", "/x", "", 3, false, "read"), file(api, 400, "open", "/y", "", 3, false, "read"));
        Report r = sink.report(api.id(), "asked").orElseThrow();
        assertEquals(1, r.files().size());
        assertEquals(1, r.omitted().files());
        assertThrows(IllegalArgumentException.class,
                () -> sink.apply(TestConfig.of(ReportSink.Config.class, Map.of("formats", "pdf"))));
        assertEquals(dir.toString(), sink.config().folder(), "a refused change leaves the settings as they were");
    }

    @Test
    void reportJsonCarriesControlCharactersEscapedC1AndDelToo() throws IOException {
        String hostile = dev.apiary.sdk.testing.ControlCharacters.HOSTILE + "\u007f";
        events.publish(exec(WEB, 100, 1, "sh", 1, "/bin/sh", "sh", hostile));
        String json = ReportFiles.json(sink.report(WEB.id(), "asked").orElseThrow());
        dev.apiary.sdk.testing.ControlCharacters.assertNoneInJson(json);
        String lower = json.toLowerCase(java.util.Locale.ROOT);
        assertTrue(lower.contains("\\u001b[31mred"), json);
        assertTrue(lower.contains("\\u009b2j"), json);
        assertEquals(hostile, new ObjectMapper().readTree(json).get("processes").get(0).get("execs").get(0).get("args").get(1)
                .asText(), "and read back as it was");
    }

    @Test
    void aWrongFormatSettingIsRefusedWithItsWords() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sink(Map.of("formats", "xml")));
        assertEquals("--format: 'xml' is not a format; give json, csv or all", e.getMessage());
        assertNull(sink.report("nobody", "asked").orElse(null));
    }

    static void awaitFile(Path p) throws InterruptedException {
        for (int i = 0; i < 250 && !Files.exists(p); i++) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(p), p + " was written");
    }
}
