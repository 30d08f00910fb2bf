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
            try {
                found.put(id, infoField(fd, 2, "program")); // struct bpf_link_info: u32 type, id, prog_id
            } catch (BpfException e) {
                // no info for it: left out, like a link gone since the walk
            } finally {
                Native.close(fd);
            }
        }
        return found;
    }

    /**
     * The kernel id of a program, map or link fd: the first fields of bpf_prog_info,
     * bpf_map_info and bpf_link_info are all u32 (type, id).
     */
    static int idOf(int fd) {
        return infoField(fd, 1, "kernel id");
    }

    /**
     * The u32 at {@code index} of a program's, map's or link's info: the kernel copies only as
     * much of the info as asked for, so this asks for the fields up to that one.
     *
     * @throws BpfException when the kernel cannot give it, named by {@code what}
     */
    private static int infoField(int fd, int index, String what) {
        int size = 4 * (index + 1);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment info = call.allocate(size, 8);
            MemorySegment length = call.allocateFrom(ValueLayout.JAVA_INT, size);
            int err = Libbpf.bpf_obj_get_info_by_fd(fd, info, length);
            if (err != 0) {
                throw new BpfException("cannot read the " + what + " of fd " + fd, err);
            }
            return info.get(ValueLayout.JAVA_INT, 4L * index);
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
