package dev.apiary.core.output;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An event as people and programs see it: one flat-ish map with the time, the tracker and
 * type, the container, the header's process fields, then the tracker's own fields, all with
 * snake_case keys. The same map feeds JSON lines and table rows.
 */
public final class EventView {

    private EventView() {
    }

    public static Map<String, Object> of(Event event) {
        EventHeader h = event.header();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time", BootClock.toInstant(h.tsNanos()).toString());
        out.put("tracker", event.tracker());
        out.put("type", event.type());
        out.put("container", container(event.container()));
        out.put("pid", h.pid());
        out.put("tid", h.tid());
        out.put("ppid", h.ppid());
        out.put("uid", h.uid());
        out.put("gid", h.gid());
        out.put("comm", h.comm());
        out.put("cgroup_id", h.cgroupId());
        out.put("mnt_ns", h.mntNs());
        out.put("pid_ns", h.pidNs());
        out.put("net_ns", h.netNs());
        for (Map.Entry<String, Object> f : event.fields().entrySet()) {
            out.put(snakeCase(f.getKey()), f.getValue());
        }
        return out;
    }

    public static Map<String, Object> container(ContainerRef c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("name", c.name());
        out.put("image", c.image());
        out.put("runtime", c.runtime());
        if (!c.pod().isEmpty()) {
            out.put("pod", c.pod());
            out.put("namespace", c.namespace());
        }
        if (!c.labels().isEmpty()) {
            out.put("labels", new java.util.TreeMap<>(c.labels()));
        }
        return out;
    }

    /** {@code argsTruncated} → {@code args_truncated}. */
    public static String snakeCase(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
