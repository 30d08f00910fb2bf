package dev.apiary.core.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import dev.apiary.sdk.Containers;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one Docker daemon: lists (and inspects) its containers, then follows its event
 * stream. When the daemon goes away it says so once, keeps nothing of its own (the
 * {@link Listener} keeps what it was told), retries with a backoff from 0.5 s doubling to 5 s,
 * and lists again when the daemon is back.
 *
 * <p>Runs on its own daemon thread from {@link #start()}; the listener is called from that thread
 * and from docker-java's event-stream thread, one call at a time per container event, so
 * listeners must be thread-safe. {@link #close()} stops both promptly and closes the client.
 */
public final class DockerWatcher implements Closeable {

    /** What the watcher learns. Implementations must be thread-safe and quick. */
    public interface Listener {
        /** A container exists, with what is known of it (again after every change). */
        void seen(DockerContainer container);

        /**
         * A container stopped running (its record stays until {@link #destroyed}).
         *
         * @param exitCode what the daemon said its init process ended with, -1 when it did not say
         * @param at       when, by the daemon's clock
         */
        void stopped(String id, int exitCode, Instant at);

        /** A container was removed. */
        void destroyed(String id);

        /** After a (re)connection: every container the daemon has now; others are gone. */
        void listed(Set<String> ids);

        /** The daemon became reachable (true) or went away (false). */
        void connected(boolean connected);
    }

    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration LAST_RETRY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(DockerWatcher.class);
    private static final Instant NEVER_STARTED = Instant.parse("0001-01-01T00:00:00Z");

    private final URI endpoint;
    private final Listener listener;
    // Made on the watcher's thread: docker-java's client (Jackson, HttpClient 5, an SSL context)
    // costs a few hundred ms of class loading that Apiary's start need not wait for.
    private volatile DockerHttpClient http;
    private volatile DockerClient client;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean connected;
    /** Whether the listener heard of any outcome yet; the watcher's thread only. */
    private boolean told;
    private volatile ResultCallback.Adapter<Event> stream;

    /**
     * @param endpoint the daemon's socket, e.g. {@code unix:///var/run/docker.sock} ({@link #defaultEndpoint()})
     */
    public DockerWatcher(URI endpoint, Listener listener) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("apiary-docker-watcher").unstarted(this::run);
    }

    /** The client, made on first use by the watcher's thread. */
    private DockerClient client() {
        DockerClient made = client;
        if (made == null) {
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(endpoint.toString())
                    .build();
            // No response timeout: the event stream is one response that lasts as long as the daemon.
            DockerHttpClient transport = new ZerodepDockerHttpClient.Builder()
                    .dockerHost(endpoint)
                    .connectionTimeout(Duration.ofSeconds(2))
                    .build();
            http = transport;
            made = DockerClientImpl.getInstance(config, transport);
            client = made;
        }
        return made;
    }

    /** DOCKER_HOST when set, else the default socket {@code unix:///var/run/docker.sock}. */
    public static URI defaultEndpoint() {
        String host = System.getenv("DOCKER_HOST");
        return URI.create(host == null || host.isBlank() ? "unix:///var/run/docker.sock" : host);
    }

    public URI endpoint() {
        return endpoint;
    }

    public void start() {
        thread.start();
    }

    /** Whether the daemon answered the last request and its event stream is open. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Changes a container's limit with Docker's container update. Memory alone is refused
     * by the daemon when the container has a memory+swap limit below the new value; then
     * swap is left unlimited, as {@code docker update --memory M --memory-swap -1} would.
     *
     * @throws IllegalStateException with the daemon's message when it refuses or cannot be reached
     */
    public void update(String containerId, Containers.Limit limit, long value) {
        DockerClient client = this.client;
        if (client == null || !connected) {
            throw new IllegalStateException("Docker daemon at " + endpoint + " is not connected (yet): try again in a moment");
        }
        try {
            switch (limit) {
                case MEMORY -> {
                    try {
                        client.updateContainerCmd(containerId).withMemory(value).exec();
                    } catch (DockerException e) {
                        if (!String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("memoryswap")) {
                            throw e;
                        }
                        client.updateContainerCmd(containerId).withMemory(value).withMemorySwap(-1L).exec();
                    }
                }
                case CPU -> client.updateContainerCmd(containerId).withNanoCPUs(value).exec();
                case PIDS -> client.updateContainerCmd(containerId).withPidsLimit(value).exec();
            }
        } catch (DockerException e) {
            throw new IllegalStateException("Docker refused to change " + limit.name().toLowerCase(java.util.Locale.ROOT)
                    + ": " + daemonMessage(e), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Docker daemon at " + endpoint + " cannot be reached: " + e.getMessage(), e);
        }
    }

    /** The daemon's own words out of docker-java's "Status 409: {\"message\":\"...\"}". */
    private static String daemonMessage(DockerException e) {
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf("\"message\":\"");
        if (at >= 0) {
            int from = at + "\"message\":\"".length();
            int to = m.indexOf('"', from);
            return to > from ? m.substring(from, to) : m.substring(from);
        }
        return m.strip();
    }

    @Override
    public void close() {
        closed = true;
        ResultCallback.Adapter<Event> s = stream;
        if (s != null) {
            closeQuietly(s);
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(client);
        closeQuietly(http);
    }

    private void run() {
        Duration retry = FIRST_RETRY;
        boolean failureLogged = false;
        while (!closed) {
            try {
                client().pingCmd().exec();
                Instant since = Instant.now().minusSeconds(1); // events from before the list: replayed, handled idempotently
                ResultCallback.Adapter<Event> events = openEvents(since);
                setConnected(true);
                if (failureLogged) {
                    LOG.info("Docker daemon at {} is back; listing its containers again", endpoint);
                } else {
                    LOG.info("following the Docker daemon at {}", endpoint);
                }
                failureLogged = false;
                retry = FIRST_RETRY;
                listAll();
                events.awaitCompletion();
                if (!closed) {
                    LOG.warn("the Docker daemon at {} closed its event stream; what it told stays known, reconnecting", endpoint);
                    failureLogged = true;
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                if (!failureLogged) {
                    LOG.warn("Docker daemon at {} is unavailable ({}); containers are named from cgroup paths only"
                            + " until it answers, retrying every {}-{} ms", endpoint, reason(e), FIRST_RETRY.toMillis(),
                            LAST_RETRY.toMillis());
                    failureLogged = true;
                }
            } finally {
                setConnected(false);
                ResultCallback.Adapter<Event> s = stream;
                stream = null;
                if (s != null) {
                    closeQuietly(s);
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(retry.toMillis());
            } catch (InterruptedException e) {
                break;
            }
            retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
        }
    }

    private ResultCallback.Adapter<Event> openEvents(Instant since) {
        ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event event) {
                try {
                    handle(event);
                } catch (RuntimeException e) {
                    LOG.warn("could not handle Docker event {} {}: {}", event.getAction(), event.getId(), e.toString());
                }
            }

            @Override
            public void onError(Throwable error) {
                if (!closed) {
                    LOG.debug("Docker event stream ended: {}", error.toString());
                }
                // Not super.onError: it logs every end of the stream as an error; the watcher says it once.
                closeQuietly(this);
            }
        };
        stream = callback;
        return client().eventsCmd()
                .withEventTypeFilter(EventType.CONTAINER)
                .withEventFilter("create", "start", "die", "destroy", "rename")
                .withSince(Long.toString(since.getEpochSecond()))
                .exec(callback);
    }

    /**
     * Tells the listener every container the list names, at once: events held for a container's
     * name go as soon as the list is in, not after an inspect per container (each a request,
     * and a cold one at start). Then the inspects add what the list lacks (init pid, start
     * time), and {@link Listener#listed} ends the first answer.
     */
    private void listAll() {
        List<DockerContainer> listed = new ArrayList<>();
        for (var summary : client().listContainersCmd().withShowAll(true).exec()) {
            String name = summary.getNames() == null || summary.getNames().length == 0 ? "" : summary.getNames()[0];
            DockerContainer fromList = new DockerContainer(summary.getId(), name, summary.getImage(),
                    summary.getLabels(), 0, null, "running".equals(summary.getState()), false);
            listener.seen(fromList);
            listed.add(fromList);
        }
        Set<String> ids = new HashSet<>();
        for (DockerContainer fromList : listed) {
            listener.seen(inspect(fromList.id(), fromList));
            ids.add(fromList.id());
        }
        listener.listed(ids);
    }

    private void handle(Event event) {
        String id = event.getActor() != null && event.getActor().getId() != null ? event.getActor().getId() : event.getId();
        String action = event.getAction() == null ? event.getStatus() : event.getAction();
        if (id == null || action == null) {
            return;
        }
        DockerContainer fromEvent = fromAttributes(id, event);
        switch (action) {
            case "create" -> listener.seen(fromEvent);
            case "start" -> {
                // Say the name at once, then what inspect adds (pid, started): the container may be gone already.
                listener.seen(fromEvent.withRunning(true));
                listener.seen(inspect(id, fromEvent.withRunning(true)));
            }
            case "rename" -> listener.seen(inspect(id, fromEvent));
            case "die" -> {
                listener.seen(fromEvent.withRunning(false));
                listener.stopped(id, exitCode(event), eventTime(event));
            }
            case "destroy" -> listener.destroyed(id);
            default -> {
            }
        }
    }

    /** The daemon's full word on a container, or fallback when it cannot say (the container is gone). */
    private DockerContainer inspect(String id, DockerContainer fallback) {
        try {
            InspectContainerResponse r = client().inspectContainerCmd(id).exec();
            var state = r.getState();
            boolean running = state != null && Boolean.TRUE.equals(state.getRunning());
            Integer pid = state == null ? null : state.getPid();
            var config = r.getConfig();
            return new DockerContainer(id, r.getName(), config == null ? fallback.image() : config.getImage(),
                    config == null || config.getLabels() == null ? fallback.labels() : config.getLabels(),
                    running && pid != null ? pid.intValue() : 0,
                    state == null ? null : instant(state.getStartedAt()), running, true);
        } catch (NotFoundException e) {
            return fallback;
        } catch (RuntimeException e) {
            LOG.debug("inspect {} failed: {}", id, e.toString());
            return fallback;
        }
    }

    private static DockerContainer fromAttributes(String id, Event event) {
        Map<String, String> attributes = event.getActor() == null || event.getActor().getAttributes() == null
                ? Map.of() : event.getActor().getAttributes();
        // Attributes hold the name, the image and the container's labels, all in one map.
        Map<String, String> labels = new HashMap<>(attributes);
        labels.remove("name");
        labels.remove("image");
        labels.remove("oldName");
        labels.remove("exitCode");
        labels.remove("execDuration");
        String image = attributes.getOrDefault("image", event.getFrom());
        return new DockerContainer(id, attributes.getOrDefault("name", ""), image, labels, 0, null, false, false);
    }

    /** A die event's exitCode attribute, -1 when missing or not a number. */
    static int exitCode(Event event) {
        String code = event.getActor() == null || event.getActor().getAttributes() == null ? null
                : event.getActor().getAttributes().get("exitCode");
        try {
            return code == null ? -1 : Integer.parseInt(code.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** When the daemon says the event happened (its nanosecond time, else its second), or now. */
    static Instant eventTime(Event event) {
        if (event.getTimeNano() != null && event.getTimeNano() > 0) {
            return Instant.ofEpochSecond(0, event.getTimeNano());
        }
        return event.getTime() != null && event.getTime() > 0 ? Instant.ofEpochSecond(event.getTime()) : Instant.now();
    }

    private static Instant instant(String iso) {
        if (iso == null || iso.isEmpty()) {
            return null;
        }
        try {
            Instant t = Instant.parse(iso);
            return t.equals(NEVER_STARTED) ? null : t;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void setConnected(boolean now) {
        // The first outcome is always told, a failed first attempt too: until then the directory
        // holds containers' events for their names and its first list waits (3 s at most).
        if (connected != now || !told) {
            told = true;
            connected = now;
            listener.connected(now);
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (message.contains("No such file") || message.contains("ENOENT")) {
            return "no socket: is dockerd running? (" + message + ")";
        }
        if (message.contains("ermission") || message.contains("EACCES")) {
            return "permission denied on the socket: run as root or in the docker group (" + message + ")";
        }
        return message;
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            // closing: nothing left to do with it
        }
    }
}
