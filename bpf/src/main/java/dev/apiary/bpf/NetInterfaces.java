package dev.apiary.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Network interface names to indexes, in the calling thread's network namespace. */
final class NetInterfaces {

    private NetInterfaces() {
    }

    static int index(String name) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(call);
            int index = (int) Native.IF_NAMETOINDEX.invokeExact(state, call.allocateFrom(name));
            if (index == 0) {
                throw new BpfException("no network interface named '" + name + "'", Native.errno(state));
            }
            return index;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
