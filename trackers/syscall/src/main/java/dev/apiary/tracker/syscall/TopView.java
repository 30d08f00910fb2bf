package dev.apiary.tracker.syscall;

import dev.apiary.sdk.SyscallNames;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.Text;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The frames of {@code syscall:top}: one block per container with cumulative and
 * new-since-the-last-frame counts side by side, a {@code *} on the syscalls that just
 * happened. A container stays on screen while it is idle for up to the grace period, so the
 * view does not blink; it leaves after that, and comes back when it makes syscalls again.
 *
 * <p>Keeps what the last frame showed; one instance per running top, used from one thread.
 */
final class TopView {

    private final SyscallNames names;
    private final boolean quietTerminal;
    private final long graceNanos;
    private final int maxRows;

    /** Totals at the last frame, by container id; absent before the first frame. */
    private Map<String, long[]> lastTotals;
    /** When each shown container last had new syscalls (as this view saw them). */
    private final Map<String, Long> lastNew = new HashMap<>();

    /**
     * @param quietTerminal hide {@link TerminalNoise}
     * @param graceNanos    how long an idle container stays
     * @param maxRows       syscalls per container at most, besides those that just happened (always shown)
     */
    TopView(SyscallNames names, boolean quietTerminal, long graceNanos, int maxRows) {
        this.names = names;
        this.quietTerminal = quietTerminal;
        this.graceNanos = graceNanos;
        this.maxRows = maxRows;
    }

    /**
     * The next frame.
     *
     * @param containers the containers to consider, as {@link SyscallTable#snapshot()} gives them
     * @param now        monotonic nanoseconds, on the clock of {@link ContainerCounts#lastActive()}
     */
    String frame(List<ContainerCounts> containers, long now) {
        boolean first = lastTotals == null;
        Map<String, long[]> totals = new HashMap<>();
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (ContainerCounts c : containers) {
            String id = c.container().id();
            long[] total = c.total();
            totals.put(id, total);
            long[] before = first ? total : lastTotals.get(id); // new since the last frame; a newcomer's all is new
            long[] fresh = new long[total.length];
            boolean active = false;
            for (int nr = 0; nr < total.length; nr++) {
                fresh[nr] = total[nr] - (before == null ? 0 : before[nr]);
                active |= fresh[nr] > 0;
            }
            if (active) {
                lastNew.put(id, now);
            } else if (first && now - c.lastActive() <= graceNanos) {
                lastNew.put(id, c.lastActive());
            }
            Long since = lastNew.get(id);
            if (since == null || now - since > graceNanos) {
                lastNew.remove(id);
                continue;
            }
            block(out, c, total, fresh, active ? 0 : now - since);
            shown++;
        }
        lastTotals = totals;
        if (shown == 0) {
            out.append("no syscalls in the last ").append(graceNanos / 1_000_000_000L).append(" s\n");
        }
        return out.toString();
    }

    private void block(StringBuilder out, ContainerCounts c, long[] total, long[] fresh, long idleNanos) {
        List<Integer> rows = new ArrayList<>();
        long sumTotal = 0, sumNew = 0;
        for (int nr = 0; nr < total.length; nr++) {
            if (total[nr] > 0 && !(quietTerminal && TerminalNoise.isNoise(names.name(nr)))) {
                rows.add(nr);
                sumTotal += total[nr];
                sumNew += fresh[nr];
            }
        }
        rows.sort(Comparator.<Integer>comparingLong(nr -> -total[nr]).thenComparing(names::name));
        List<Integer> picked = new ArrayList<>();
        int hidden = 0;
        for (int nr : rows) {
            if (picked.size() < maxRows || fresh[nr] > 0) {
                picked.add(nr);
            } else {
                hidden++;
            }
        }
        var ref = c.container();
        out.append(Text.safe(ref.displayName()));
        if (!ref.isHost()) {
            out.append(" (").append(ref.shortId()).append(ref.image().isEmpty() ? "" : ", " + Text.safe(ref.image())).append(')');
        }
        out.append("  total ").append(sumTotal).append("  new ").append(sumNew);
        if (idleNanos > 0) {
            out.append("  idle ").append(idleNanos / 1_000_000_000L).append('s');
        }
        out.append('\n');
        if (!picked.isEmpty()) {
            // The mark leads the name's cell ("* execve"), so a marked row reads as one word pair.
            Table rowsTable = Table.of(Column.left("  SYSCALL").min(24), Column.right("TOTAL").min(12),
                    Column.right("NEW").min(9));
            for (int nr : picked) {
                rowsTable.row((fresh[nr] > 0 ? "* " : "  ") + names.name(nr), total[nr], fresh[nr]);
            }
            rowsTable.toString().lines().forEach(line -> out.append("  ").append(line).append('\n'));
        }
        if (hidden > 0) {
            out.append("    ... ").append(hidden).append(" more (syscall:counts ").append(Text.safe(ref.displayName()))
                    .append(")\n");
        }
    }
}
