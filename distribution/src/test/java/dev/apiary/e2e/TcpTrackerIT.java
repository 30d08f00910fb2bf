package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tcp tracker in the assembled runtime, with real containers: a busybox {@code nc -l}
 * server and a client container connecting to it by IP, and IPv6 on a container's loopback.
 */
@RequiresBpf
@RequiresDocker
class TcpTrackerIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        runtime = HeadlessRuntime.start(HOME, dir);
        runtime.awaitTracker("tcp");
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aConnectAndItsAcceptAreAttributedToTheClientAndServerContainersAndTheirNc() throws Exception {
        String server = Docker.uniqueName("tcp-server");
        String client = Docker.uniqueName("tcp-client");
        int port = 7777;
        try {
            // sleep keeps nc's stdin open, so the connection stays up for the tables.
            ok("run", "-d", "--name", server, "busybox:local", "sh", "-c", "sleep 300 | nc -l -p " + port);
            String serverIp = ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", server);
            String serverId = ok("inspect", "--format", "{{.Id}}", server);
            JsonNode listen = runtime.awaitEvent(tcp("listen", server).and(e -> e.path("local_port").asInt() == port),
                    WAIT, "listen on " + port + " in " + server);
            assertEquals("nc", listen.path("comm").asText());

            HeadlessRuntime.Result listening = awaitOutput("tcp:listen --json", server, out -> out.contains(server));
            JsonNode row = only(JSON.readTree(listening.out()).path("listening"), r -> r.path("container").path("name").asText()
                    .equals(server) && r.path("localPort").asInt() == port, "listening row of " + server);
            assertEquals("nc", row.path("comm").asText(), row.toString());
            assertEquals(listen.path("pid").asInt(), row.path("pid").asInt());

            ok("run", "-d", "--name", client, "busybox:local", "sh", "-c", "sleep 300 | nc " + serverIp + " " + port);
            String clientIp = ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", client);
            String clientId = ok("inspect", "--format", "{{.Id}}", client);

            JsonNode connect = runtime.awaitEvent(tcp("connect", client).and(e -> e.path("remote_port").asInt() == port),
                    WAIT, "connect from " + client);
            assertEquals("nc", connect.path("comm").asText());
            assertEquals(clientId, connect.path("container").path("id").asText());
            assertEquals(serverIp, connect.path("remote_address").asText());
            assertEquals(clientIp, connect.path("local_address").asText());
            assertEquals("ESTABLISHED", connect.path("state").asText());
            assertEquals("", connect.path("error").asText());
            int clientPort = connect.path("local_port").asInt();
            assertNotEquals(0, clientPort);
            assertInContainer(connect.path("pid").asInt(), clientId);

            JsonNode accept = runtime.awaitEvent(tcp("accept", server).and(e -> e.path("local_port").asInt() == port),
                    WAIT, "accept in " + server);
            assertEquals("nc", accept.path("comm").asText());
            assertEquals(serverId, accept.path("container").path("id").asText());
            // busybox nc listens on an IPv6 socket: its IPv4 peers show IPv4-mapped, as ss shows them.
            assertEquals("ipv6", accept.path("family").asText());
            assertEquals("::ffff:" + serverIp, accept.path("local_address").asText());
            assertEquals("::ffff:" + clientIp, accept.path("remote_address").asText());
            assertEquals(clientPort, accept.path("remote_port").asInt());
            assertEquals(listen.path("pid").asInt(), accept.path("pid").asInt(), "the listening nc accepts");
            assertInContainer(accept.path("pid").asInt(), serverId);

            HeadlessRuntime.Result connections = awaitOutput("tcp:connections " + server + " --json", clientIp,
                    out -> out.contains(clientIp));
            JsonNode conn = only(JSON.readTree(connections.out()).path("connections"),
                    r -> r.path("remotePort").asInt() == clientPort, "connection row in " + server);
            assertEquals("ESTABLISHED", conn.path("state").asText());
            assertEquals("::ffff:" + clientIp, conn.path("remoteAddress").asText());
            assertEquals(port, conn.path("localPort").asInt());
            assertEquals(accept.path("pid").asInt(), conn.path("pid").asInt());
            assertEquals("nc", conn.path("comm").asText());
            assertEquals(server, conn.path("container").path("name").asText());

            HeadlessRuntime.Result table = runtime.command("tcp:connections " + client);
            assertEquals(0, table.status(), table.toString());
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith(client.substring(0, Math.min(20, client.length())))
                    && l.contains(" nc ") && l.contains(serverIp + ":" + port) && l.contains("ESTABLISHED")), table.toString());
        } finally {
            Docker.removeQuietly(client);
            Docker.removeQuietly(server);
        }
    }

    @Test
    void ipv6OnAContainersLoopback() throws Exception {
        String name = Docker.uniqueName("tcp-v6");
        int port = 7778;
        try {
            ok("run", "-d", "--name", name, "--sysctl", "net.ipv6.conf.lo.disable_ipv6=0", "busybox:local", "sh", "-c",
                    "(sleep 300 | nc -l -p " + port + " &); sleep 1; sleep 300 | nc ::1 " + port);
            JsonNode connect = runtime.awaitEvent(tcp("connect", name).and(e -> e.path("remote_port").asInt() == port),
                    WAIT, "IPv6 connect in " + name);
            assertEquals("ipv6", connect.path("family").asText());
            assertEquals("::1", connect.path("remote_address").asText());
            assertEquals("::1", connect.path("local_address").asText());
            assertEquals("nc", connect.path("comm").asText());
            JsonNode accept = runtime.awaitEvent(tcp("accept", name).and(e -> e.path("local_port").asInt() == port),
                    WAIT, "IPv6 accept in " + name);
            assertEquals("ipv6", accept.path("family").asText());
            assertEquals("::1", accept.path("remote_address").asText());
            assertEquals(connect.path("local_port").asInt(), accept.path("remote_port").asInt());
            assertEquals("nc", accept.path("comm").asText());
            assertNotEquals(connect.path("pid").asInt(), accept.path("pid").asInt(), "the server's nc, not the client's");
        } finally {
            Docker.removeQuietly(name);
        }
    }

    @Test
    void wrongArgumentsGetOneClearLine() throws Exception {
        for (String c : new String[] {"tcp:connections nosuchcontainer", "tcp:listen nosuchcontainer"}) {
            runtime.assertRefused(c, "no container named nosuchcontainer; running: ");
        }
    }

    private static Predicate<JsonNode> tcp(String type, String container) {
        return e -> e.path("tracker").asText().equals("tcp") && e.path("type").asText().equals(type)
                && e.path("container").path("name").asText().equals(container);
    }

    /** The host pid runs nc in that container (its cgroup names the container's id). */
    private static void assertInContainer(int pid, String containerId) throws Exception {
        assertEquals("nc", Files.readString(Path.of("/proc/" + pid + "/comm")).trim());
        assertTrue(Files.readString(Path.of("/proc/" + pid + "/cgroup")).contains(containerId), "pid " + pid + " in " + containerId);
    }

    private static JsonNode only(JsonNode array, Predicate<JsonNode> match, String what) {
        JsonNode found = null;
        int n = 0;
        for (JsonNode r : array) {
            if (match.test(r)) {
                found = r;
                n++;
            }
        }
        assertEquals(1, n, "one " + what + " in " + array);
        return found;
    }

    private static HeadlessRuntime.Result awaitOutput(String command, String what, Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HeadlessRuntime.Result r;
        do {
            r = runtime.command(command);
            if (r.status() == 0 && ready.test(r.out())) {
                return r;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(command + " never showed " + what + ": " + r + "\nruntime log:\n" + runtime.log());
    }
}
