package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

    /**
     * The program of every link, by link id: what {@code bpftool link list} shows as prog id.
     * Links that go away while this walks them are left out.
     */
    public static Map<Integer, Integer> programsOfLinks() {
        Map<Integer, Integer> found = new TreeMap<>();
        for (int id : linkIds()) {
            int fd = Libbpf.bpf_link_get_fd_by_id(id);
            if (fd < 0) {
                continue; // gone since the walk
            }
            try (Arena call = Arena.ofConfined()) {
                // struct bpf_link_info begins with u32 type, u32 id, u32 prog_id.
                MemorySegment info = call.allocate(12, 8);
                MemorySegment length = call.allocateFrom(ValueLayout.JAVA_INT, 12);
                if (Libbpf.bpf_obj_get_info_by_fd(fd, info, length) == 0) {
                    found.put(id, info.get(ValueLayout.JAVA_INT, 8));
                }
            } finally {
                Native.close(fd);
            }
        }
        return found;
    }

    /**
     * The kernel id of a program, map or link fd: the first fields of bpf_prog_info,
     * bpf_map_info and bpf_link_info are both u32 (type, id), and the kernel copies only as
     * much of the info as asked for.
     */
    static int idOf(int fd) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment info = call.allocate(8, 8);
            MemorySegment length = call.allocateFrom(ValueLayout.JAVA_INT, 8);
            int err = Libbpf.bpf_obj_get_info_by_fd(fd, info, length);
            if (err != 0) {
                throw new BpfException("cannot read the kernel id of fd " + fd, err);
            }
            return info.get(ValueLayout.JAVA_INT, 4);
        }
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
