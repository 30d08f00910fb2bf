package dev.apiary.test.faulty;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * A test fixture: a tracker that does what its bundle's {@code faulty.mode} resource says —
 * {@code ok} (loads a good object), {@code verifier} (loads one the verifier rejects),
 * {@code throw} (throws from start), {@code layout} (loads the good object with a decoder
 * whose layout of the event header differs from the object's), or {@code name:<x>} (calls
 * itself x, against its manifest header).
 */
@Component(service = Tracker.class)
public final class FaultyTracker implements Tracker {

    private final String mode = readMode();

    private static String readMode() {
        try (InputStream in = FaultyTracker.class.getResourceAsStream("/faulty.mode")) {
            return in == null ? "ok" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return mode.startsWith("name:") ? mode.substring(5) : "faulty";
    }

    @Override
    public String description() {
        return "test fixture, mode " + mode;
    }

    @Override
    public void start(TrackerContext context) {
        switch (mode) {
            case "verifier" -> context.load("bpf/faulty_rejected.bpf.o", null, null);
            case "throw" -> throw new IllegalStateException("told to fail (faulty.mode = throw)");
            case "layout" -> context.load("bpf/faulty.bpf.o", null, new SwappedHeaderDecoder());
            default -> context.load("bpf/faulty.bpf.o", null, null);
        }
    }

    /** A decoder that reads the header with two fields swapped: core must refuse it before load. */
    private static final class SwappedHeaderDecoder implements EventDecoder {
        @Override
        public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
            return null;
        }

        @Override
        public List<MemoryLayout> layouts() {
            return List.of(MemoryLayout.structLayout(JAVA_LONG.withName("cgroup_id"), JAVA_LONG.withName("ts_ns"))
                    .withName("apiary_event_header"));
        }
    }

    @Override
    public List<String> eventTypes() {
        return List.of();
    }
}
