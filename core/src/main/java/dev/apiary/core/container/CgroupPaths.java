package dev.apiary.core.container;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises containers in cgroup v2 paths (relative to the cgroup root, e.g. the
 * {@code 0::} line of {@code /proc/PID/cgroup}) by the names their runtimes give them.
 *
 * <p>The patterns are those of the runtimes' systemd and cgroupfs drivers, as Tracee, Falco and
 * Inspektor Gadget recognise them:
 * <ul>
 * <li>systemd scopes {@code <prefix>-<id>.scope}: {@code docker-}, {@code cri-containerd-},
 *     {@code crio-}, {@code libpod-} (podman), {@code nerdctl-} (containerd), {@code runc-};
 *     the monitors {@code libpod-conmon-} and {@code crio-conmon-} are not containers;</li>
 * <li>containerd's and CRI-O's systemd driver with a cgroupfs-style parent:
 *     {@code <slice>:cri-containerd:<id>}, {@code <slice>:crio:<id>}, {@code <slice>:docker:<id>};</li>
 * <li>cgroupfs directories named by the bare 64-hex id: below {@code /docker/} or
 *     {@code /actions_job/} Docker, below a {@code kubepods} hierarchy containerd (the CRI runtime
 *     a kubepods path does not name; containerd is by far the most common), below
 *     {@code /libpod_parent/} podman, elsewhere {@code runc}.</li>
 * </ul>
 * The first (outermost) component that names a container decides: a container's own nested
 * cgroups (systemd inside a container, rootless podman's {@code /container} leaf) belong to it.
 * Everything else is the host. Stateless and thread-safe.
 */
public final class CgroupPaths {

    public static final String DOCKER = "docker";
    public static final String CONTAINERD = "containerd";
    public static final String CRIO = "cri-o";
    public static final String PODMAN = "podman";
    public static final String RUNC = "runc";

    /** Runtime ids in scope names: 64 hex digits in practice; shorter ones are accepted where a prefix says "container". */
    private static final Pattern SCOPE = Pattern.compile(
            "(docker|cri-containerd|crio|libpod|nerdctl|runc)-([0-9a-f]{12,64})\\.scope");
    private static final Pattern SYSTEMD_COLON = Pattern.compile(".*:(docker|cri-containerd|crio|containerd):([0-9a-f]{12,64})");
    private static final Pattern BARE_ID = Pattern.compile("[0-9a-f]{64}");

    private CgroupPaths() {
    }

    /** The container a cgroup path belongs to, or empty for the host. */
    public static Optional<ContainerCgroup> parse(String path) {
        if (path == null || path.isEmpty()) {
            return Optional.empty();
        }
        String[] parts = path.split("/");
        StringBuilder prefix = new StringBuilder();
        String parent = "";
        boolean underKubepods = false;
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            prefix.append('/').append(part);
            String runtime = null;
            String id = null;
            Matcher scope = SCOPE.matcher(part);
            Matcher colon = SYSTEMD_COLON.matcher(part);
            if (scope.matches()) {
                runtime = scopeRuntime(scope.group(1));
                id = scope.group(2);
            } else if (colon.matches()) {
                runtime = scopeRuntime(colon.group(1));
                id = colon.group(2);
            } else if (BARE_ID.matcher(part).matches()) {
                runtime = bareIdRuntime(parent, underKubepods);
                id = part;
            }
            if (runtime != null) {
                return Optional.of(new ContainerCgroup(runtime, id, prefix.toString()));
            }
            underKubepods |= part.startsWith("kubepods");
            parent = part;
        }
        return Optional.empty();
    }

    private static String scopeRuntime(String prefix) {
        return switch (prefix) {
            case "docker" -> DOCKER;
            case "cri-containerd", "containerd", "nerdctl" -> CONTAINERD;
            case "crio" -> CRIO;
            case "libpod" -> PODMAN;
            default -> RUNC;
        };
    }

    private static String bareIdRuntime(String parent, boolean underKubepods) {
        if (parent.equals("docker") || parent.equals("actions_job")) {
            return DOCKER;
        }
        if (parent.equals("libpod_parent")) {
            return PODMAN;
        }
        return underKubepods ? CONTAINERD : RUNC;
    }
}
