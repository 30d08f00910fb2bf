package dev.apiary.tracker.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.ContainerRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcScannerTest {

    private static final ContainerRef APP = ContainerRef.unnamed("ab".repeat(32), "containerd");

    @TempDir
    Path proc;

    @Test
    void readsStatStatusAndCmdlineAndLeavesKernelThreadsOut() throws Exception {
        // comm with a space and a ')' : stat's comm ends at the last ')'.
        process(42, "4 2) x", 7, 0, 123456, "Uid:\t1000\t1000\t1000\t1000\n", "/usr/bin/app\0--flag\0\0last\0");
        process(2, "kthreadd", 0, 0x00208040, 1, "Uid:\t0\t0\t0\t0\n", "");
        Files.createDirectories(proc.resolve("self"));

        List<ProcessInfo> found = new ProcScanner(proc, pid -> pid == 42 ? APP : ContainerRef.HOST).scan();

        assertEquals(1, found.size(), "the kernel thread is left out: " + found);
        ProcessInfo p = found.get(0);
        assertEquals(42, p.pid());
        assertEquals(7, p.ppid());
        assertEquals(1000, p.uid());
        assertEquals("4 2) x", p.comm());
        assertEquals(List.of("/usr/bin/app", "--flag", "", "last"), p.args());
        assertEquals(123456 * 10_000_000L, p.startNs(), "ticks of 10 ms");
        assertEquals(APP, p.container());
        assertEquals("", p.path(), "no exe link here");
    }

    @Test
    void aProcessThatIsGoneIsSkipped() throws Exception {
        Files.createDirectories(proc.resolve("77")); // listed, then gone before its files were read
        assertEquals(List.of(), new ProcScanner(proc, pid -> ContainerRef.HOST).scan());
    }

    @Test
    void theRealProcHasThisProcessWithItsParentAndCommandLine() throws Exception {
        ProcessHandle self = ProcessHandle.current();
        Map<Integer, ProcessInfo> byPid = new ProcScanner(Path.of("/proc"), pid -> ContainerRef.HOST).scan().stream()
                .collect(java.util.stream.Collectors.toMap(ProcessInfo::pid, p -> p));
        ProcessInfo me = byPid.get((int) self.pid());
        assertEquals(self.parent().orElseThrow().pid(), me.ppid());
        assertEquals(self.info().command().orElseThrow(), me.path());
        assertTrue(me.startNs() > 0 && me.startNs() <= BootClock.nowNanos());
        assertTrue(byPid.values().stream().noneMatch(p -> p.pid() == 2), "kthreadd is a kernel thread");
    }

    private void process(int pid, String comm, int ppid, int flags, long startTicks, String status, String cmdline)
            throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        // Fields 3..22: state ppid pgrp session tty tpgid flags ... starttime.
        StringBuilder stat = new StringBuilder(pid + " (" + comm + ") S " + ppid + " 1 1 0 -1 " + flags);
        for (int field = 10; field < 22; field++) {
            stat.append(" 0");
        }
        stat.append(' ').append(startTicks).append(" 0 0\n");
        Files.writeString(dir.resolve("stat"), stat);
        Files.writeString(dir.resolve("status"), "Name:\t" + comm + "\n" + status);
        Files.writeString(dir.resolve("cmdline"), cmdline);
    }
}
