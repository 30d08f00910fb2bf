package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ids of every BPF program, map and link the kernel holds, from every process: what
 * {@code bpftool prog/map/link list} walks. For leak checks and runtime statistics.
 */
public final class KernelBpfObjects {

    private KernelBpfObjects() {
    }

    public static Set<Integer> programIds() {
        return walk(Kind.PROGRAM);
    }

    public static Set<Integer> mapIds() {
        return walk(Kind.MAP);
    }

    public static Set<Integer> linkIds() {
        return walk(Kind.LINK);
    }

    private enum Kind { PROGRAM, MAP, LINK }

    private static Set<Integer> walk(Kind kind) {
        Set<Integer> ids = new TreeSet<>();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment next = call.allocate(ValueLayout.JAVA_INT);
            int id = 0;
            while (true) {
                int err = switch (kind) {
                    case PROGRAM -> Libbpf.bpf_prog_get_next_id(id, next);
                    case MAP -> Libbpf.bpf_map_get_next_id(id, next);
                    case LINK -> Libbpf.bpf_link_get_next_id(id, next);
                };
                if (err == -Native.ENOENT) {
                    return ids;
                }
                if (err != 0) {
                    throw new BpfException("cannot list the kernel's BPF " + kind.name().toLowerCase() + "s", err);
                }
                id = next.get(ValueLayout.JAVA_INT, 0);
                ids.add(id);
            }
        }
    }
}
