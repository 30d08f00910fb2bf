package dev.apiary.tracker.namespace;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container id a cgroup path names, for cgroup events of containers that core does not
 * know yet (their cgroup is being made): the outermost component that is a 64-hex id, or a
 * runtime's systemd scope ({@code docker-ID.scope}, {@code cri-containerd-ID.scope},
 * {@code crio-ID.scope}, {@code libpod-ID.scope}) or a {@code ...:docker:ID} name. Stateless.
 */
final class ContainerIds {

    private static final Pattern ID = Pattern.compile(
            "(?:^|/)(?:(?:docker|cri-containerd|crio|libpod|nerdctl|runc)-([0-9a-f]{64})\\.scope"
                    + "|[^/]*:(?:docker|cri-containerd|crio|containerd):([0-9a-f]{64})|([0-9a-f]{64}))(?=/|$)");

    private ContainerIds() {
    }

    /** The id, or "" when the path names no container. */
    static String ofCgroupPath(String path) {
        Matcher m = ID.matcher(path);
        if (!m.find()) {
            return "";
        }
        for (int g = 1; g <= 3; g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        return "";
    }
}
