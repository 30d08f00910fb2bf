package dev.apiary.core.dispatch;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The dispatch_test object: one numbered record per getppid() of this process. */
public final class Ticks {

    public static final int SELF = (int) ProcessHandle.current().pid();
    private static final long SEQ = EventHeader.SIZE;
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("getppid"), FunctionDescriptor.of(ValueLayout.JAVA_INT));

    public record Tick(EventHeader header, ContainerRef container, long seq) implements Event {
        @Override
        public String tracker() {
            return "ticks";
        }

        @Override
        public String type() {
            return "tick";
        }
    }

    public static final EventDecoder DECODER = (record, header, container) ->
            new Tick(header, container, record.get(ValueLayout.JAVA_LONG_UNALIGNED, SEQ));

    private Ticks() {
    }

    /** Loaded and attached for this process, watching everything. */
    static BpfObject load() {
        BpfObject obj = open();
        try {
            obj.globals().set("target_tgid", SELF);
            obj.load();
            obj.map("apiary_watched").update(Bytes.u32(0), new byte[] {1});
            obj.attachAll();
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    static BpfObject open() {
        try (InputStream in = Ticks.class.getResourceAsStream("/bpf/dispatch_test.bpf.o")) {
            return BpfObject.open(in.readAllBytes(), "dispatch_test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes {@code n} records. */
    public static void tick(int n) {
        try {
            for (int i = 0; i < n; i++) {
                int ignored = (int) GETPPID.invokeExact();
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
