package dev.apiary.sdk;

import dev.apiary.bpf.BpfObject;
import java.util.function.Consumer;

/**
 * What core gives a tracker while it runs. Everything opened through it belongs to the
 * tracker and is closed by core when the tracker stops. Safe for concurrent use.
 */
public interface TrackerContext {

    /** The tracker's name. */
    String trackerName();

    /**
     * Opens the BPF object at {@code resource} in the tracker's own bundle (e.g.
     * {@code "bpf/exec.bpf.o"}), checks the decoder's {@linkplain EventDecoder#layouts() layouts}
     * against its BTF, lets {@code configure} set its globals and map sizes, loads it, attaches
     * every program, and, when it has an {@code apiary_events} ring buffer, dispatches its records
     * through {@code decoder}.
     *
     * <p>Core reuses its own watched-containers map for a map named {@code apiary_watched} (see
     * {@code apiary/watch.h}) before {@code configure} runs, and sets {@code apiary_wakeup_bytes}
     * after it, from the ring's size as {@code configure} left it.
     *
     * @param decoder the record decoder, or null when the object has no ring buffer
     * @return the loaded object, owned by core: read its maps, never close it
     * @throws dev.apiary.bpf.BpfException when it cannot be opened, loaded (verifier log included) or attached
     */
    BpfObject load(String resource, Consumer<BpfObject> configure, EventDecoder decoder);

    /** The containers core knows. */
    Containers containers();

    /** Subscribes to events (its own or others'); closed with the tracker. */
    Subscription subscribe(String name, EventSubscriber subscriber);
}
