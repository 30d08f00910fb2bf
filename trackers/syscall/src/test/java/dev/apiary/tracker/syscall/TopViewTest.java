package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.SyscallNames;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopViewTest {

    private static final long S = 1_000_000_000L;
    private static final ContainerRef WEB = new ContainerRef("3f2a1b9c0d12aa55" + "0".repeat(48), "web", "nginx", "docker",
            Map.of(), "", "");
    private static final SyscallNames NAMES;

    static {
        String[] n = new String[512];
        n[0] = "read";
        n[1] = "write";
        n[16] = "ioctl";
        n[7] = "poll";
        n[13] = "rt_sigaction";
        n[59] = "execve";
        n[257] = "openat";
        NAMES = SyscallNames.of(n);
    }

    private static long[] counts(int... nrAndCount) {
        long[] c = new long[512];
        for (int i = 0; i < nrAndCount.length; i += 2) {
            c[nrAndCount[i]] = nrAndCount[i + 1];
        }
        return c;
    }

    @Test
    void quietTerminalHidesWhatTheTerminalDoesAndShowsWhatTheCommandDid() {
        TopView view = new TopView(NAMES, true, 10 * S, 12);
        view.frame(List.of(new ContainerCounts(WEB, counts(0, 100, 1, 100, 16, 10), 0, 0)), S);
        String f = view.frame(List.of(new ContainerCounts(WEB, counts(0, 150, 1, 180, 16, 14, 7, 5, 13, 3, 59, 1, 257, 4), 0, 2 * S)), 2 * S);
        assertTrue(f.contains("* execve"), f);
        assertTrue(f.contains("* openat"), f);
        for (String noise : List.of("read", "write", "ioctl", "poll", "rt_sigaction")) {
            assertFalse(f.contains(" " + noise + " "), noise + " hidden: " + f);
        }
        assertTrue(f.startsWith("web (3f2a1b9c0d12, nginx)  total 5  new 5\n"), f);
    }

    @Test
    void withoutQuietEverythingShowsCumulativeAndNewSideBySide() {
        TopView view = new TopView(NAMES, false, 10 * S, 12);
        view.frame(List.of(new ContainerCounts(WEB, counts(0, 100), 0, 0)), S);
        String f = view.frame(List.of(new ContainerCounts(WEB, counts(0, 150, 257, 2), 0, 2 * S)), 2 * S);
        assertTrue(f.matches("(?s).*\\* read\\s+150\\s+50\n.*"), f);
        assertTrue(f.matches("(?s).*\\* openat\\s+2\\s+2\n.*"), f);
    }

    @Test
    void anIdleContainerStaysForTheGracePeriodThenLeaves() {
        TopView view = new TopView(NAMES, false, 10 * S, 12);
        view.frame(List.of(new ContainerCounts(WEB, counts(0, 1), 0, 0)), 0);
        String active = view.frame(List.of(new ContainerCounts(WEB, counts(0, 2), 0, S)), S);
        assertTrue(active.contains("* read"), active);
        String idle = view.frame(List.of(new ContainerCounts(WEB, counts(0, 2), 0, S)), 6 * S);
        assertTrue(idle.contains("web (") && idle.contains("idle 5s") && idle.contains("   read"), idle);
        assertFalse(idle.contains("* read"), idle);
        String gone = view.frame(List.of(new ContainerCounts(WEB, counts(0, 2), 0, S)), 12 * S);
        assertEquals("no syscalls in the last 10 s\n", gone);
        String back = view.frame(List.of(new ContainerCounts(WEB, counts(0, 3), 0, 13 * S)), 13 * S);
        assertTrue(back.contains("* read"), back);
    }

    @Test
    void hostileNamesAndImagesAreEscaped() {
        String hostile = dev.apiary.sdk.testing.ControlCharacters.HOSTILE;
        ContainerRef evil = new ContainerRef("e0e0" + "0".repeat(60), hostile, hostile, "docker", Map.of(), "", "");
        TopView view = new TopView(NAMES, false, 10 * S, 1);
        String f = view.frame(List.of(new ContainerCounts(evil, counts(0, 3, 257, 1), 0, 0)), 0);
        dev.apiary.sdk.testing.ControlCharacters.assertNone(f);
        assertTrue(f.startsWith("x\\x1b[31mRED"), f);
        assertTrue(f.contains("... 1 more (syscall:counts x\\x1b[31mRED"), f);
    }

    @Test
    void rowsAreATableUnderTheContainersLine() {
        TopView view = new TopView(NAMES, false, 10 * S, 12);
        view.frame(List.of(new ContainerCounts(WEB, counts(0, 50, 1, 7), 0, 0)), 0);
        String f = view.frame(List.of(new ContainerCounts(WEB, counts(0, 150, 257, 2, 1, 7), 0, S)), S);
        assertEquals("""
                web (3f2a1b9c0d12, nginx)  total 159  new 102
                    SYSCALL                        TOTAL        NEW
                  * read                             150        100
                    write                              7          0
                  * openat                             2          2
                """, f);
    }
}
