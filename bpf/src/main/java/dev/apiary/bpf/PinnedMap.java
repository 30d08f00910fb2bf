package dev.apiary.bpf;

import java.nio.file.Path;

/**
 * What {@link BpfObject#reconcilePins()} found for one map declared with
 * {@code __uint(pinning, LIBBPF_PIN_BY_NAME)}: whether the load will reuse the map pinned
 * there by an earlier load (so its contents survive), or create a new one. Immutable.
 *
 * @param map the map's name
 * @param path its pin in bpffs
 * @param outcome what happens at load
 * @param detail for {@link Outcome#INCOMPATIBLE}, how the pinned definition differs; else ""
 */
public record PinnedMap(String map, Path path, Outcome outcome, String detail) {

    public enum Outcome {
        /** A compatible map is pinned there: load reuses it, with its contents. */
        REUSED,
        /** Nothing pinned there yet: load creates the map and pins it. */
        NEW,
        /** The pinned map's definition differs: its pin was removed, and load creates a fresh one. */
        INCOMPATIBLE
    }

    /** What happens to the map at load, in words: "kept from the previous load", "new", "started fresh, ...". */
    public String outcomeText() {
        return switch (outcome) {
            case REUSED -> "kept from the previous load";
            case NEW -> "new";
            case INCOMPATIBLE -> "started fresh, the pinned map differs (" + detail + ")";
        };
    }

    @Override
    public String toString() {
        return map + ": " + outcomeText();
    }
}
