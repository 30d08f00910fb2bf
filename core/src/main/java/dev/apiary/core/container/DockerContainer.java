package dev.apiary.core.container;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What the Docker daemon said about one container, from an inspect or, when that failed or
 * has not happened, from the attributes of one of its events.
 *
 * @param id      64 hex digits
 * @param name    without Docker's leading slash; never empty (events carry it)
 * @param image   the image reference it was created from
 * @param labels  the container's labels (events carry them too)
 * @param pid     its init process on the host; 0 when not running or unknown
 * @param started when it last started, or null
 * @param running whether it runs
 * @param inspected whether this came from an inspect (pid and started are then the daemon's word)
 */
public record DockerContainer(String id, String name, String image, Map<String, String> labels, int pid,
        Instant started, boolean running, boolean inspected) {

    public DockerContainer {
        Objects.requireNonNull(id, "id");
        name = stripSlash(Objects.requireNonNullElse(name, ""));
        image = Objects.requireNonNullElse(image, "");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    DockerContainer withRunning(boolean nowRunning) {
        return new DockerContainer(id, name, image, labels, nowRunning ? pid : 0, started, nowRunning, inspected);
    }

    DockerContainer withName(String newName) {
        return new DockerContainer(id, newName, image, labels, pid, started, running, inspected);
    }
}
