package dev.apiary.launcher;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One event as an embedding program gets it from {@link Apiary#subscribe}: the header every
 * tracker's events share, typed, and the tracker's own fields by name with their Java types
 * (Long, Integer, String, Boolean, List...) as the tracker declared them ({@code tracker:info}
 * lists them). A copy, immutable: it does not hold on to anything inside the runtime.
 *
 * @param time when the kernel saw it
 * @param tracker the tracker that produced it ("exec", "file", ...)
 * @param type its type within the tracker ("exec", "exit", "open", ...)
 * @param container the container it happened in; id and name "host" for the host
 * @param pid the process (thread group) id, as the host sees it
 * @param tid the thread id
 * @param ppid the parent's process id
 * @param uid the user id
 * @param comm the task's command name (15 characters at most)
 * @param fields the tracker's own fields by their JSON keys (snake_case, as in every --json output and
 *               the headless event log), in declaration order
 */
public record ApiaryEvent(Instant time, String tracker, String type, Container container, int pid, int tid, int ppid,
        int uid, String comm, Map<String, Object> fields) {

    public ApiaryEvent {
        fields = Map.copyOf(fields);
    }

    /** A field's value when it is there and of that type. */
    public <T> Optional<T> field(String name, Class<T> type) {
        Object v = fields.get(name);
        return type.isInstance(v) ? Optional.of(type.cast(v)) : Optional.empty();
    }

    /**
     * The container of an event.
     *
     * @param id the full id ("host" for the host)
     * @param name its name ("host" for the host; the id when the runtime has not learnt a name)
     * @param image its image, or ""
     * @param runtime "docker", "containerd", "cri-o", "podman", ..., or "host"
     */
    public record Container(String id, String name, String image, String runtime) {}

    /**
     * Which events a subscription gets; a null part matches anything.
     *
     * @param tracker a tracker name
     * @param type an event type of that tracker
     * @param container a container name or id, or "host"
     */
    public record Filter(String tracker, String type, String container) {

        /** Every event. */
        public static Filter all() {
            return new Filter(null, null, null);
        }

        /** Every event of one tracker. */
        public static Filter tracker(String tracker) {
            return new Filter(tracker, null, null);
        }

        /** This filter, narrowed to one container. */
        public Filter inContainer(String nameOrId) {
            return new Filter(tracker, type, nameOrId);
        }

        /** This filter, narrowed to one event type. */
        public Filter ofType(String eventType) {
            return new Filter(tracker, eventType, container);
        }
    }
}
