package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the definition of a map pinned in bpffs, to compare it with one about to load. */
final class PinnedMaps {

    /** struct bpf_map_info up to map_flags: type, id, key_size, value_size, max_entries, map_flags. */
    private static final int INFO_BYTES = 24;

    private PinnedMaps() {
    }

    /**
     * How the map pinned at {@code path} differs from {@code wanted} in what libbpf requires
     * to reuse it (type, key size, value size, capacity, flags), or "" when it does not.
     */
    static String difference(Path path, BpfMap wanted) {
        try (Arena call = Arena.ofConfined()) {
            int fd = Libbpf.bpf_obj_get(call.allocateFrom(path.toString()));
            if (fd < 0) {
                throw new BpfException("cannot open the pinned map " + path, fd);
            }
            try {
                MemorySegment info = call.allocate(INFO_BYTES, 8);
                MemorySegment length = call.allocateFrom(ValueLayout.JAVA_INT, INFO_BYTES);
                int err = Libbpf.bpf_obj_get_info_by_fd(fd, info, length);
                if (err != 0) {
                    throw new BpfException("cannot read the pinned map " + path, err);
                }
                List<String> diffs = new ArrayList<>();
                int type = info.get(ValueLayout.JAVA_INT, 0);
                int wantedType = Libbpf.bpf_map__type(wanted.handle());
                if (type != wantedType) {
                    diffs.add("type " + typeName(type) + " → " + wanted.typeName());
                }
                compare(diffs, "key", info.get(ValueLayout.JAVA_INT, 8), wanted.keySize(), " B");
                compare(diffs, "value", info.get(ValueLayout.JAVA_INT, 12), wanted.valueSize(), " B");
                compare(diffs, "entries", info.get(ValueLayout.JAVA_INT, 16), wanted.maxEntries(), "");
                compare(diffs, "flags", info.get(ValueLayout.JAVA_INT, 20), wanted.mapFlags(), "");
                return String.join(", ", diffs);
            } finally {
                Native.close(fd);
            }
        }
    }

    private static void compare(List<String> diffs, String what, int pinned, int wanted, String unit) {
        if (pinned != wanted) {
            diffs.add(what + " " + pinned + unit + " → " + wanted + unit);
        }
    }

    private static String typeName(int type) {
        MemorySegment name = Libbpf.libbpf_bpf_map_type_str(type);
        return name.equals(MemorySegment.NULL) ? "type " + type : name.getString(0);
    }
}
