package dev.apiary.bpf;

import dev.apiary.bpf.testing.RequiresBpf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Map operations against the kernel's own maps. */
@RequiresBpf
class BpfMapTest {

    private BpfObject obj;

    @BeforeEach
    void load() {
        obj = TestObjects.open("apiary_test");
        obj.globals().set("target_tgid", TestObjects.SELF);
        obj.map("scratch_kv").setMaxEntries(4096);
        obj.load();
    }

    @AfterEach
    void close() {
        obj.close();
    }

    @Test
    void lookupUpdateDeleteAndKeys() {
        BpfMap kv = obj.map("scratch_kv");
        assertEquals(4096, kv.maxEntries(), "resized before load");
        assertEquals(Optional.empty(), kv.lookup(Bytes.u32(7)));
        kv.update(Bytes.u32(7), Bytes.u64(700));
        kv.update(Bytes.u32(8), Bytes.u64(800));
        assertEquals(700, Bytes.toU64(kv.lookup(Bytes.u32(7)).orElseThrow()));

        BpfException exists = assertThrows(BpfException.class,
                () -> kv.update(Bytes.u32(7), Bytes.u64(1), BpfMap.UpdateMode.NO_EXIST));
        assertEquals(17, exists.errno(), "EEXIST");
        kv.update(Bytes.u32(7), Bytes.u64(701), BpfMap.UpdateMode.EXIST);
        assertEquals(701, Bytes.toU64(kv.lookup(Bytes.u32(7)).orElseThrow()));

        assertEquals(java.util.Set.of(7, 8), kv.keys().stream().map(Bytes::toU32).collect(java.util.stream.Collectors.toSet()));
        assertTrue(kv.delete(Bytes.u32(7)));
        assertFalse(kv.delete(Bytes.u32(7)), "already gone");
        assertEquals(1, kv.keys().size());
        assertThrows(BpfException.class, () -> kv.update(Bytes.u32(1), Bytes.u32(1)), "values are 8 bytes");
    }

    @Test
    void entriesReadInBatchesMatchWhatWasWritten() {
        BpfMap kv = obj.map("scratch_kv");
        Map<Integer, Long> written = new TreeMap<>();
        for (int i = 0; i < 3000; i++) { // more than one batch of 1024
            kv.update(Bytes.u32(i), Bytes.u64(i * 10L));
            written.put(i, i * 10L);
        }
        Map<Integer, Long> read = new TreeMap<>();
        for (BpfMap.Entry e : kv.entries()) {
            read.put(Bytes.toU32(e.key()), Bytes.toU64(e.value()));
        }
        assertEquals(written, read);
    }

    @Test
    void perCpuCountersAreSummedOverCpus() throws Throwable {
        obj.attachAll();
        MethodHandle getppid = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        BpfMap calls = obj.map("getppid_calls");
        assertTrue(calls.isPerCpu());
        long before = calls.sumPerCpu(Bytes.u32(0));
        int n = 1000;
        for (int i = 0; i < n; i++) {
            int ignored = (int) getppid.invokeExact();
        }
        assertEquals(before + n, calls.sumPerCpu(Bytes.u32(0)), "each getppid() of this process counted once");
        assertEquals(BpfMap.possibleCpus(), calls.lookupPerCpu(Bytes.u32(0)).size());
        long perCpuTotal = calls.lookupPerCpu(Bytes.u32(0)).stream().mapToLong(Bytes::toU64).sum();
        assertEquals(before + n, perCpuTotal);
        assertThrows(BpfException.class, () -> obj.map("scratch_kv").sumPerCpu(Bytes.u32(0)));
    }

    @Test
    void arrayMapsIterateAllTheirSlots() {
        BpfMap counts = obj.map("xdp_counts");
        assertEquals(2, counts.keys().size());
        assertEquals(2, counts.entries().size());
        assertArrayEquals(Bytes.u32(1), counts.keys().get(1));
    }

    @Test
    void aSecondObjectReusesTheFirstObjectsMap() {
        try (BpfObject second = TestObjects.open("apiary_test")) {
            second.globals().set("target_tgid", TestObjects.SELF);
            BpfMap shared = second.map("scratch_kv");
            shared.setMaxEntries(4096);
            shared.reuseFd(obj.map("scratch_kv").fd());
            second.load();
            shared.update(Bytes.u32(42), Bytes.u64(4200));
            assertEquals(4200, Bytes.toU64(obj.map("scratch_kv").lookup(Bytes.u32(42)).orElseThrow()),
                    "a write through the reusing object is seen through the owner");
            assertEquals(obj.map("scratch_kv").id(), shared.id(), "one kernel map");
        }
        assertEquals(4200, Bytes.toU64(obj.map("scratch_kv").lookup(Bytes.u32(42)).orElseThrow()),
                "closing the reusing object leaves the owner's map alone");
    }

    @Test
    void reuseAfterLoadIsRefused() {
        assertThrows(BpfException.class, () -> obj.map("scratch_kv").reuseFd(obj.map("scratch_kv").fd()));
    }
}
