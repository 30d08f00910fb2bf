package dev.apiary.sdk;

import java.util.Map;
import java.util.Objects;

/**
 * Which container an event came from, as far as Apiary knows it.
 *
 * <p>{@link #HOST} for processes outside any container. A container seen only by its cgroup
 * path (no runtime API to ask, or the API has not answered yet) has its {@code id} and
 * {@code runtime} but an empty {@code name} and {@code image}.
 *
 * @param id        the runtime's container id (64 hex digits for Docker, containerd, CRI-O), "host" for the host
 * @param name      the container's name without Docker's leading slash, or "" when unknown
 * @param image     the image reference it was started from, or "" when unknown
 * @param runtime   "docker", "containerd", "cri-o", "podman", "runc", or "host"
 * @param labels    the container's labels; empty when unknown
 * @param pod       the Kubernetes pod name from the labels, or ""
 * @param namespace the Kubernetes namespace from the labels, or ""
 */
public record ContainerRef(String id, String name, String image, String runtime, Map<String, String> labels,
        String pod, String namespace) {

    public static final String HOST_ID = "host";

    /** Every process that is not in a container. */
    public static final ContainerRef HOST = new ContainerRef(HOST_ID, HOST_ID, "", HOST_ID, Map.of(), "", "");

    public ContainerRef {
        Objects.requireNonNull(id, "id");
        name = Objects.requireNonNullElse(name, "");
        image = Objects.requireNonNullElse(image, "");
        runtime = Objects.requireNonNullElse(runtime, "");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        pod = Objects.requireNonNullElse(pod, "");
        namespace = Objects.requireNonNullElse(namespace, "");
    }

    /** A container known only by its id and runtime, from its cgroup path. */
    public static ContainerRef unnamed(String id, String runtime) {
        return new ContainerRef(id, "", "", runtime, Map.of(), "", "");
    }

    public boolean isHost() {
        return HOST_ID.equals(id);
    }

    /** The first 12 characters of the id, as {@code docker ps} shows it. */
    public String shortId() {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** The name if known, else the short id: what a table shows. */
    public String displayName() {
        return name.isEmpty() ? shortId() : name;
    }

    /**
     * Whether a user's word for a container means this one: its name, its full id, or a
     * prefix of its id of at least 3 characters (as docker accepts).
     */
    public boolean matches(String nameOrId) {
        if (nameOrId == null || nameOrId.isEmpty()) {
            return false;
        }
        String word = nameOrId.startsWith("/") ? nameOrId.substring(1) : nameOrId;
        return word.equals(name) || word.equals(id) || (word.length() >= 3 && id.startsWith(word));
    }
}
