package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The maps of xdp.bpf.o as the tracker uses them: attachment counters, flows, drop rules
 * with their hits, and the control record (rule slots in use, capture on/off, rate, filter).
 *
 * <p>Map element operations are single system calls; the control record is rewritten whole
 * from the copy kept here, so its writers are serialized ({@code synchronized}). Safe for
 * concurrent use.
 */
final class XdpKernel implements RuleTable.Kernel, Sampling.Kernel {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final BpfMap stats;
    private final BpfMap flows;
    private final BpfMap rules;
    private final BpfMap ruleHits;
    private final BpfMap ctl;
    // The control record's fields, as last written.
    private int ruleSlots;
    private boolean captureOn;
    private int captureRate;
    private byte[] captureFilter = new byte[Rule.SIZE];

    XdpKernel(BpfObject obj) {
        this.stats = obj.map("xdp_stats");
        this.flows = obj.map("xdp_flows");
        this.rules = obj.map("xdp_rules");
        this.ruleHits = obj.map("xdp_rule_hits");
        this.ctl = obj.map("xdp_ctl");
    }

    // ---- attachments and counters --------------------------------------------------------

    /** Makes the counters of an interface end, zeroed; the programs count nothing without them. */
    void register(Side side, int ifindex) {
        stats.update(attKey(side, ifindex), new byte[perCpuBytes(XdpLayouts.COUNTS.byteSize())]);
    }

    /** Drops the counters and flows of an interface end. */
    void unregister(Side side, int ifindex) {
        stats.delete(attKey(side, ifindex));
        for (byte[] key : flows.keys()) {
            ByteBuffer b = ByteBuffer.wrap(key).order(ORDER);
            if (b.getInt(0) == ifindex && b.get(4) == side.code) {
                flows.delete(key);
            }
        }
    }

    boolean registered(Side side, int ifindex) {
        return stats.lookup(attKey(side, ifindex)).isPresent();
    }

    /** Packets and bytes per class of an interface end, summed over CPUs; null when not registered. */
    Counts counts(Side side, int ifindex) {
        List<byte[]> perCpu = stats.lookupPerCpu(attKey(side, ifindex));
        if (perCpu.isEmpty()) {
            return null;
        }
        long[] packets = new long[XdpLayouts.CLASSES];
        long[] bytes = new long[XdpLayouts.CLASSES];
        for (byte[] v : perCpu) {
            ByteBuffer b = ByteBuffer.wrap(v).order(ORDER);
            for (int c = 0; c < XdpLayouts.CLASSES; c++) {
                packets[c] += b.getLong(8 * c);
                bytes[c] += b.getLong(8 * (XdpLayouts.CLASSES + c));
            }
        }
        return new Counts(packets, bytes);
    }

    /** Every flow in the kernel's table, summed over CPUs. */
    List<Flow> flows() {
        List<Flow> all = new ArrayList<>();
        int slot = (int) ((XdpLayouts.FLOW_VALUE.byteSize() + 7) & ~7);
        for (BpfMap.Entry e : flows.entries()) {
            ByteBuffer k = ByteBuffer.wrap(e.key()).order(ORDER);
            ByteBuffer v = ByteBuffer.wrap(e.value()).order(ORDER);
            long packets = 0, bytes = 0;
            for (int off = 0; off + slot <= e.value().length; off += slot) {
                packets += v.getLong(off);
                bytes += v.getLong(off + 8);
            }
            if (packets == 0) {
                continue; // an entry on no CPU yet
            }
            byte[] src = new byte[16];
            byte[] dst = new byte[16];
            k.get(12, src);
            k.get(28, dst);
            all.add(new Flow(Side.of(k.get(4)), k.getInt(0), Byte.toUnsignedInt(k.get(5)), Short.toUnsignedInt(k.getShort(10)),
                    src, Short.toUnsignedInt(k.getShort(6)), dst, Short.toUnsignedInt(k.getShort(8)), packets, bytes));
        }
        return all;
    }

    // ---- rules ---------------------------------------------------------------------------

    /** Writes a rule into a slot and zeroes its hits; slots up to the highest in use are scanned. */
    @Override
    public synchronized void setRule(int slot, byte[] rule, int slotsInUse) {
        ruleHits.update(key(slot), new byte[perCpuBytes(8)]);
        rules.update(key(slot), rule);
        writeCtl(slotsInUse, captureOn, captureRate, captureFilter);
    }

    @Override
    public synchronized void clearRule(int slot, int slotsInUse) {
        rules.update(key(slot), new byte[Rule.SIZE]);
        writeCtl(slotsInUse, captureOn, captureRate, captureFilter);
    }

    /** A rule's hits, summed over CPUs. */
    long hits(int slot) {
        return ruleHits.sumPerCpu(key(slot));
    }

    // ---- capture -------------------------------------------------------------------------

    /** Turns sampling on with this filter (a {@link Rule#encode}d rule) and rate, or off. */
    @Override
    public synchronized void capture(boolean on, int ratePerCpu, byte[] filter) {
        writeCtl(ruleSlots, on, ratePerCpu, filter);
    }

    private void writeCtl(int slots, boolean on, int rate, byte[] filter) {
        ByteBuffer b = ByteBuffer.allocate((int) XdpLayouts.CTL.byteSize()).order(ORDER);
        b.putInt(slots).putInt(on ? 1 : 0).putInt(rate).putInt(0).put(filter);
        ctl.update(key(0), b.array());
        ruleSlots = slots;
        captureOn = on;
        captureRate = rate;
        captureFilter = filter.clone();
    }

    // ---- helpers -------------------------------------------------------------------------

    private static byte[] attKey(Side side, int ifindex) {
        return ByteBuffer.allocate(8).order(ORDER).putInt(ifindex).putInt(side.code).array();
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(4).order(ORDER).putInt(i).array();
    }

    private static int perCpuBytes(long valueSize) {
        return (int) ((valueSize + 7) & ~7) * possibleCpus();
    }

    private static int possibleCpus() {
        return PossibleCpus.COUNT;
    }

    /** /sys/devices/system/cpu/possible, as libbpf counts per-CPU slots. */
    private static final class PossibleCpus {
        static final int COUNT = read();

        private static int read() {
            try {
                String s = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/possible")).trim();
                int max = 0;
                for (String part : s.split(",")) {
                    String[] r = part.split("-");
                    max = Math.max(max, Integer.parseInt(r[r.length - 1]));
                }
                return max + 1;
            } catch (java.io.IOException | NumberFormatException e) {
                throw new IllegalStateException("cannot read the possible CPUs from /sys/devices/system/cpu/possible", e);
            }
        }
    }

    /** Packets and bytes per class, indexed as {@link XdpStats#CLASSES}. */
    record Counts(long[] packets, long[] bytes) {
    }

    /**
     * One flow as an attachment end saw it: addresses are 16 bytes (IPv4 mapped).
     *
     * @param sport for ICMP, type &lt;&lt; 8 | code
     */
    record Flow(Side side, int ifindex, int proto, int family, byte[] src, int sport, byte[] dst, int dport,
            long packets, long bytes) {
    }
}
