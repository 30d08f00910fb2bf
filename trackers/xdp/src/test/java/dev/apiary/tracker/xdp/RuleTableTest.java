package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule table's slots over a recorded kernel (no BPF): which slot a rule takes, what is written, what is refused. */
class RuleTableTest {

    private final RecordedKernel kernel = new RecordedKernel();
    private final RuleTable table = new RuleTable(kernel);
    private final Attachment web = attachment("veth3c1d2e7", 11, 11);
    private final Attachment eth0 = attachment("eth0", 2, 2);

    @Test
    void aRuleTakesTheLowestFreeSlotAndIsWrittenWithItsAttachmentsIndexes() {
        RuleEntry first = table.add(web, Rule.parse("icmp"));
        RuleEntry second = table.add(eth0, Rule.parse("tcp dport 22"));
        assertEquals(List.of(0, 1), List.of(first.slot(), second.slot()));
        assertEquals(List.of("set 0 in use 1", "set 1 in use 2"), kernel.calls);
        assertArrayEquals(Rule.parse("icmp").encode(11, 11), kernel.written.get(0));
        assertArrayEquals(Rule.parse("tcp dport 22").encode(2, 2), kernel.written.get(1));
        assertEquals(List.of(first, second), table.list());

        assertTrue(table.remove(web, Rule.parse("icmp")));
        RuleEntry third = table.add(eth0, Rule.parse("udp"));
        assertEquals(0, third.slot(), "the freed slot");
        assertEquals(List.of(third, second), table.list(), "by slot");
    }

    @Test
    void theSlotsInUseReachTheHighestTakenOne() {
        table.add(web, Rule.parse("icmp"));
        table.add(web, Rule.parse("tcp"));
        table.add(web, Rule.parse("udp"));
        kernel.calls.clear();
        table.remove(web, Rule.parse("tcp"));
        table.remove(web, Rule.parse("udp"));
        table.remove(web, Rule.parse("icmp"));
        assertEquals(List.of("clear 1 in use 3", "clear 2 in use 1", "clear 0 in use 0"), kernel.calls);
    }

    @Test
    void theSameRuleTwiceOnOneAttachmentIsRefusedOnAnotherTaken() {
        table.add(web, Rule.parse("icmp from 172.17.0.3"));
        assertEquals("rule 'icmp from 172.17.0.3' already exists for veth3c1d2e7",
                assertThrows(IllegalArgumentException.class, () -> table.add(web, Rule.parse("icmp  from 172.17.0.3/32")))
                        .getMessage());
        assertEquals(1, table.add(eth0, Rule.parse("icmp from 172.17.0.3")).slot());
        assertEquals(2, kernel.calls.size(), "nothing written for the refusal");
    }

    @Test
    void aFullTableIsRefused() {
        for (int port = 1; port <= XdpLayouts.RULES; port++) {
            table.add(web, Rule.parse("tcp dport " + port));
        }
        assertEquals("all 32 rule slots are taken (xdp:allow one first)",
                assertThrows(IllegalArgumentException.class, () -> table.add(eth0, Rule.parse("udp"))).getMessage());
        assertEquals(XdpLayouts.RULES, table.list().size());
    }

    @Test
    void removingWhatIsNotThereWritesNothing() {
        table.add(web, Rule.parse("icmp"));
        kernel.calls.clear();
        assertFalse(table.remove(web, Rule.parse("tcp")));
        assertFalse(table.remove(eth0, Rule.parse("icmp")), "another attachment's");
        assertEquals(List.of(), kernel.calls);
    }

    @Test
    void forgettingAnAttachmentClearsItsRulesOnly() {
        table.add(web, Rule.parse("icmp"));
        RuleEntry kept = table.add(eth0, Rule.parse("icmp"));
        table.add(web, Rule.parse("tcp"));
        kernel.calls.clear();
        table.forget(web);
        assertEquals(List.of(kept), table.list());
        assertEquals(List.of("clear 0 in use 3", "clear 2 in use 2"), kernel.calls);
    }

    private static Attachment attachment(String name, int host, int inner) {
        return new Attachment(null, name, 0, 0, Hook.TC, List.of(new Port(Side.HOST, host, name, null),
                new Port(Side.INNER, inner, name, null)));
    }

    /** The kernel's rule maps as calls: "set SLOT in use N", "clear SLOT in use N", and the bytes set. */
    private static final class RecordedKernel implements RuleTable.Kernel {
        final List<String> calls = new ArrayList<>();
        final List<byte[]> written = new ArrayList<>();

        @Override
        public void setRule(int slot, byte[] rule, int slotsInUse) {
            calls.add("set " + slot + " in use " + slotsInUse);
            written.add(rule);
        }

        @Override
        public void clearRule(int slot, int slotsInUse) {
            calls.add("clear " + slot + " in use " + slotsInUse);
        }
    }
}
