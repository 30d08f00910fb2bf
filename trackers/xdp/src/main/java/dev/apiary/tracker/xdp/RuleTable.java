package dev.apiary.tracker.xdp;

import java.util.ArrayList;
import java.util.List;

/**
 * The drop rules of one run of the tracker, in the {@link XdpLayouts#RULES} slots of the
 * kernel's xdp_rules: which attachment each slot's rule is for, and how many slots the
 * programs scan (up to the highest in use). Each change is written to the kernel before it
 * returns; a new rule takes the lowest free slot.
 *
 * <p>Safe for concurrent use: changes are serialized on this object. It holds no resource:
 * the maps are the object's, closed with it. Refusals are {@link IllegalArgumentException}s;
 * a map the kernel refuses to update throws what {@link Kernel} throws.
 */
final class RuleTable {

    /** Where the table is written: the tracker's {@link XdpKernel}, or a test's record of the calls. */
    interface Kernel {

        /** Writes an {@link Rule#encode}d rule into a slot, zeroes its hits, and stores how many slots are in use. */
        void setRule(int slot, byte[] rule, int slotsInUse);

        /** Empties a slot and stores how many slots are in use. */
        void clearRule(int slot, int slotsInUse);
    }

    private final Kernel kernel;
    private final RuleEntry[] slots = new RuleEntry[XdpLayouts.RULES];

    RuleTable(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * Adds a drop rule on an attachment's first veth pair (both ends).
     *
     * @throws IllegalArgumentException when the same rule exists or every slot is taken
     */
    synchronized RuleEntry add(Attachment a, Rule rule) {
        int free = -1;
        for (int slot = 0; slot < slots.length; slot++) {
            if (slots[slot] == null) {
                free = free < 0 ? slot : free;
            } else if (slots[slot].attachment() == a && slots[slot].rule().equals(rule)) {
                throw new IllegalArgumentException("rule '" + rule + "' already exists for " + a.target());
            }
        }
        if (free < 0) {
            throw new IllegalArgumentException("all " + slots.length + " rule slots are taken (xdp:allow one first)");
        }
        RuleEntry e = new RuleEntry(free, a, rule);
        slots[free] = e;
        kernel.setRule(free, rule.encode(a.index(Side.HOST), a.index(Side.INNER)), slotsInUse());
        return e;
    }

    /** Removes a rule; false when the attachment has no such rule. */
    synchronized boolean remove(Attachment a, Rule rule) {
        for (int slot = 0; slot < slots.length; slot++) {
            if (slots[slot] != null && slots[slot].attachment() == a && slots[slot].rule().equals(rule)) {
                clear(slot);
                return true;
            }
        }
        return false;
    }

    /** Removes every rule of an attachment: it is being released. */
    synchronized void forget(Attachment a) {
        for (int slot = 0; slot < slots.length; slot++) {
            if (slots[slot] != null && slots[slot].attachment() == a) {
                clear(slot);
            }
        }
    }

    /** The rules, by slot. */
    synchronized List<RuleEntry> list() {
        List<RuleEntry> all = new ArrayList<>();
        for (RuleEntry e : slots) {
            if (e != null) {
                all.add(e);
            }
        }
        return all;
    }

    private void clear(int slot) {
        slots[slot] = null;
        kernel.clearRule(slot, slotsInUse());
    }

    private int slotsInUse() {
        for (int slot = slots.length - 1; slot >= 0; slot--) {
            if (slots[slot] != null) {
                return slot + 1;
            }
        }
        return 0;
    }
}
