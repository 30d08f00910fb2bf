package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports of real containers, as a user gets them: a busybox httpd serving a file, a second
 * container that writes, renames, chowns and deletes files, runs a program whose name begins
 * with '=' and fetches the page with wget, then exits 7. Its report is written by itself when
 * it stops (into the runtime's folder: HeadlessRuntime sets apiary.reports); the server's on
 * demand with report:write.
 */
@RequiresBpf
@RequiresDocker
class ReportIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final Path SCHEMA_FILE = Path.of(System.getProperty("apiary.repo", "..")).resolve("docs/reports.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;
    private static final String WEB = Docker.uniqueName("report-web"), JOB = Docker.uniqueName("report-job");
    private static String webIp, jobId;
    private static JsonNode job;
    private static Path jobFolder;

    @BeforeAll
    static void aServerAndAJobThatUsesIt() throws Exception {
        runtime = HeadlessRuntime.start(HOME, dir);
        for (String t : List.of("file", "tcp", "syscall", "capability")) {
            runtime.awaitTracker(t);
        }
        ok("run", "-d", "--name", WEB, "busybox:local", "sh", "-c",
                "mkdir /www; echo hello > /www/index.html; exec httpd -f -p 8080 -h /www");
        webIp = ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", WEB);
        awaitPort(WEB, 8080);
        HeadlessRuntime.Result r = Docker.docker("run", "--name", JOB, "busybox:local", "sh", "-c",
                "echo data > /tmp/a; mv /tmp/a /tmp/b; chown 1:1 /tmp/b; rm /tmp/b;"
                        + " printf '#!/bin/sh\\nexit 0\\n' > /tmp/=calc; chmod +x /tmp/=calc; PATH=/tmp:$PATH; =calc arg;"
                        + " wget -q -O /tmp/page http://" + webIp + ":8080/index.html; cat /tmp/page; exit 7");
        assertEquals(7, r.status(), r.toString());
        assertEquals("hello", r.out().strip(), r.toString());
        jobId = ok("inspect", "-f", "{{.Id}}", JOB);
        jobFolder = runtime.reports.resolve(JOB + "-" + jobId.substring(0, 12)); // apiary.reports: HeadlessRuntime's
        Path report = jobFolder.resolve("report.json");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(jobFolder.resolve("syscalls.csv")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(report), "the job's report is written when it stops: " + report + "\n" + runtime.log());
        job = JSON.readTree(report.toFile());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Docker.removeQuietly(WEB);
        Docker.removeQuietly(JOB);
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void theJobsReportHoldsItsIdentityProcessesFilesConnectAndSyscalls() throws Exception {
        assertEquals(List.of(), schema().validate(job).stream().map(Object::toString).toList(), "valid against the schema");
        assertEquals("stopped", job.get("reason").asText());
        JsonNode c = job.get("container");
        assertEquals(JOB, c.get("name").asText());
        assertEquals(jobId, c.get("id").asText());
        assertEquals("busybox:local", c.get("image").asText());
        assertEquals(7, c.get("exit_code").asInt());
        assertFalse(c.get("running").asBoolean());

        List<List<String>> execs = new ArrayList<>();
        for (JsonNode p : job.get("processes")) {
            for (JsonNode e : p.get("execs")) {
                List<String> args = new ArrayList<>();
                e.get("args").forEach(a -> args.add(a.asText()));
                execs.add(args);
            }
        }
        assertTrue(execs.contains(List.of("=calc", "arg")), execs.toString());
        assertTrue(execs.contains(List.of("wget", "-q", "-O", "/tmp/page", "http://" + webIp + ":8080/index.html")),
                execs.toString());
        assertTrue(execs.stream().anyMatch(a -> a.size() == 3 && a.get(0).equals("sh") && a.get(2).contains("exit 7")));

        Map<String, Set<String>> files = workloadFiles(job);
        assertTrue(files.get("/tmp/a").containsAll(Set.of("write", "create", "rename_from")), files.toString());
        assertEquals(Set.of("rename_to", "chown", "delete"), files.get("/tmp/b"), files.toString());
        assertTrue(files.get("/tmp/page").containsAll(Set.of("write", "create")), files.toString());
        assertTrue(files.get("/tmp/=calc").containsAll(Set.of("write", "create", "chmod")), files.toString());

        JsonNode connect = find(job.get("network").get("connections"), "remote_address", webIp);
        assertEquals(8080, connect.get("remote_port").asInt());
        assertEquals(0, connect.get("failures").asInt());
        assertTrue(connect.get("bytes_received").asLong() > "hello".length(), connect.toString());

        List<String> syscalls = new ArrayList<>();
        job.get("syscalls").get("counts").forEach(s -> syscalls.add(s.get("name").asText()));
        assertTrue(job.get("syscalls").get("counted").asBoolean());
        for (String needed : List.of("execve", "connect", "renameat2", "unlinkat", "fchownat", "socket")) {
            assertTrue(syscalls.stream().anyMatch(s -> s.equals(needed) || s.equals(needed.replace("at2", "").replace("at", ""))),
                    needed + " in " + syscalls);
        }
        JsonNode caps = job.get("capabilities");
        assertTrue(caps.get("tracked").asBoolean(), caps.toString());
        boolean chowned = false;
        for (JsonNode check : caps.get("checks")) {
            chowned |= check.get("capability").asText().equals("CAP_CHOWN") && check.get("granted").asBoolean()
                    && !check.get("runtime_setup").asBoolean() && check.get("checks").asLong() >= 1
                    && check.get("first_comm").asText().equals("chown");
        }
        assertTrue(chowned, "the workload's chown used CAP_CHOWN: " + caps);
        HeadlessRuntime.Result used = runtime.command("cap:used " + JOB);
        assertTrue(used.out().lines().anyMatch(l -> l.contains("CAP_CHOWN") && l.contains("granted") && l.contains("chown")
                && l.endsWith("workload")), "cap:used shows it too: " + used);
        List<String> kinds = new ArrayList<>();
        job.get("namespaces").get("of_container").forEach(n -> {
            if (!n.get("shared").asBoolean()) {
                kinds.add(n.get("kind").asText());
            }
        });
        assertTrue(kinds.containsAll(List.of("mnt", "net", "pid")), "its own namespaces: " + kinds);
    }

    @Test
    void theCsvFilesAgreeWithTheJsonAndNeutraliseFormulas() throws Exception {
        List<Map<String, String>> processes = csv(jobFolder.resolve("processes.csv"));
        assertTrue(processes.stream().anyMatch(p -> p.get("args").equals("'=calc arg")),
                "an argument a spreadsheet would run is neutralised: " + processes);
        List<Map<String, String>> files = csv(jobFolder.resolve("files.csv"));
        assertEquals(job.get("files").size(), files.size());
        for (int i = 0; i < files.size(); i++) {
            JsonNode f = job.get("files").get(i);
            List<String> ops = new ArrayList<>();
            f.get("operations").forEach(o -> ops.add(o.asText()));
            assertEquals(String.join(" ", ops), files.get(i).get("operations"), f.toString());
            assertEquals(f.get("calls").asText(), files.get(i).get("calls"));
        }
        List<Map<String, String>> connections = csv(jobFolder.resolve("connections.csv"));
        assertEquals(webIp, connections.getFirst().get("remote_address"));
        assertEquals("7", csv(jobFolder.resolve("container.csv")).getFirst().get("exit_code"));
        assertEquals(job.get("syscalls").get("counts").size(), csv(jobFolder.resolve("syscalls.csv")).size());
        try (Stream<Path> left = Files.list(jobFolder)) {
            assertEquals(List.of(), left.filter(p -> p.toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void theServersReportIsWrittenOnDemandWithTheAcceptAndWhatItServed() throws Exception {
        HeadlessRuntime.Result w = runtime.command("report:write --format json --out " + dir.resolve("asked") + " " + WEB);
        assertEquals(0, w.status(), w.toString());
        assertTrue(w.out().contains("report of " + WEB + " written to"), w.out());
        try (Stream<Path> folders = Files.list(dir.resolve("asked"))) {
            Path folder = folders.findFirst().orElseThrow();
            assertTrue(folder.getFileName().toString().startsWith(WEB + "-"), folder.toString());
            assertFalse(Files.exists(folder.resolve("files.csv")), "--format json writes JSON only");
            JsonNode web = JSON.readTree(folder.resolve("report.json").toFile());
            assertEquals(List.of(), schema().validate(web).stream().map(Object::toString).toList());
            assertEquals("asked", web.get("reason").asText());
            assertTrue(web.get("container").get("running").asBoolean());
            JsonNode listen = find(web.get("network").get("listening"), "local_port", "8080");
            assertTrue(listen.get("accepts").asLong() >= 1, listen.toString());
            assertTrue(listen.get("bytes_sent").asLong() > "hello".length(), listen.toString());
            assertTrue(workloadFiles(web).get("/www/index.html").contains("read"), workloadFiles(web).toString());
            assertTrue(web.get("namespaces").get("limits").has("pids"), web.get("namespaces").toString());
        }
        HeadlessRuntime.Result show = runtime.command("report:show " + JOB);
        assertEquals(0, show.status(), show.toString());
        assertTrue(show.out().contains("exit code 7"), show.out());
        assertTrue(show.out().contains("/tmp/b"), show.out());
        HeadlessRuntime.Result list = runtime.command("report:list");
        String id12 = jobId.substring(0, 12);
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(JOB) && l.contains(id12) && l.contains("stopped")
                && l.endsWith(JOB + "-" + id12)), "its last report's folder: " + list.out());
    }

    @Test
    void badInputGetsOneClearLineNoHalfFileAndTheRuntimeGoesOn() throws Exception {
        runtime.assertRefused("report:write no-such-container", "no container named no-such-container");
        runtime.assertRefused("cap:used no-such-container", "no container named no-such-container");
        runtime.assertRefused("report:write host", "give a container: reports are per container");
        runtime.assertRefused("report:write --format xml " + WEB, "--format: 'xml' is not a format; give json, csv or all");
        Path aFile = Files.writeString(dir.resolve("not-a-folder"), "x");
        runtime.assertRefused("report:write --out " + aFile + " " + WEB, "could not write the report of " + WEB);

        // A full disk: a tmpfs of one page cannot hold the report.
        Path small = Files.createDirectories(dir.resolve("small"));
        ok("--version"); // docker answers: the machine is as the other tests left it
        HeadlessRuntime.Result mount = HeadlessRuntime.run(List.of("mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs",
                small.toString()), null);
        assertEquals(0, mount.status(), mount.toString());
        try {
            runtime.assertRefused("report:write --out " + small + " " + JOB, "No space left on device");
            try (Stream<Path> all = Files.walk(small)) {
                List<Path> left = all.filter(Files::isRegularFile).toList();
                assertEquals(List.of(), left, "nothing half-written is left on the full disk");
            }
        } finally {
            HeadlessRuntime.run(List.of("umount", small.toString()), null);
        }
        HeadlessRuntime.Result again = runtime.command("report:write --out " + dir.resolve("after") + " " + JOB);
        assertEquals(0, again.status(), "the activity is still there: " + again);
        assertTrue(runtime.isAlive());
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static Schema schema() throws IOException {
        try (InputStream in = Files.newInputStream(SCHEMA_FILE)) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }

    /** The workload's files (not the runtime's setup) and their operations. */
    private static Map<String, Set<String>> workloadFiles(JsonNode report) {
        Map<String, Set<String>> out = new HashMap<>();
        for (JsonNode f : report.get("files")) {
            if (!f.get("runtime_setup").asBoolean()) {
                Set<String> ops = new java.util.LinkedHashSet<>();
                f.get("operations").forEach(o -> ops.add(o.asText()));
                out.put(f.get("path").asText(), ops);
            }
        }
        return out;
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }

    private static List<Map<String, String>> csv(Path file) throws IOException {
        try (MappingIterator<Map<String, String>> rows = new CsvMapper().readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(file.toFile())) {
            return rows.readAll();
        }
    }

    private static void awaitPort(String container, int port) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Docker.docker("exec", container, "sh", "-c", "netstat -ltn | grep -q :" + port).status() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(container + " never listened on " + port);
    }
}
