package dev.apiary.launcher;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What Apiary needs from the machine before the framework starts: root (or the BPF
 * capabilities), kernel BTF, and a bpf() system call this process may use. Each check says
 * exactly what is missing, so {@code bin/apiary} can stop before Felix with a useful message.
 * Stateless; safe from any thread.
 */
public final class Prerequisites {

    /** Where the kernel exposes its BTF; core and every tracker need it (CO-RE). */
    public static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    private static final int BPF_PROG_GET_NEXT_ID = 11;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int ENOSYS = 38;

    private Prerequisites() {
    }

    /** Every missing prerequisite, one sentence each; empty when Apiary can run. */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        privilegeProblem(ProcessCredentials.current()).ifPresent(missing::add);
        if (!Files.isReadable(KERNEL_BTF)) {
            missing.add("no kernel BTF at " + KERNEL_BTF + ": the kernel must be built with CONFIG_DEBUG_INFO_BTF=y (Linux 5.4+)");
        }
        bpfSyscallProblem().ifPresent(missing::add);
        return missing;
    }

    /** Root, or else the capabilities loading and attaching BPF programs needs. */
    static Optional<String> privilegeProblem(ProcessCredentials credentials) {
        if (credentials.isRoot()) {
            return Optional.empty();
        }
        Map<String, Integer> needed = new LinkedHashMap<>();
        needed.put("CAP_BPF", ProcessCredentials.CAP_BPF);
        needed.put("CAP_PERFMON", ProcessCredentials.CAP_PERFMON);
        needed.put("CAP_NET_ADMIN", ProcessCredentials.CAP_NET_ADMIN);
        needed.put("CAP_SYS_ADMIN", ProcessCredentials.CAP_SYS_ADMIN);
        List<String> lacking = needed.entrySet().stream()
                .filter(e -> !credentials.has(e.getValue())).map(Map.Entry::getKey).toList();
        if (lacking.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("not running as root (effective uid " + credentials.effectiveUid() + ") and without "
                + String.join(", ", lacking) + ": run it as root, e.g. sudo bin/apiary");
    }

    /**
     * Asks the kernel for the first loaded BPF program id (BPF_PROG_GET_NEXT_ID), which needs
     * the same privilege as loading one: EPERM means BPF is not permitted to this process
     * (e.g. a container without CAP_BPF, or a seccomp filter), ENOSYS that the kernel has no bpf().
     */
    static Optional<String> bpfSyscallProblem() {
        long sysBpf;
        switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> sysBpf = 321;
            case "aarch64", "arm64" -> sysBpf = 280;
            default -> {
                return Optional.empty(); // unknown syscall number: loading will tell
            }
        }
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> syscall = linker.defaultLookup().find("syscall");
        if (syscall.isEmpty()) {
            return Optional.of("the C library has no syscall() function; cannot check bpf()");
        }
        StructLayout stateLayout = Linker.Option.captureStateLayout();
        VarHandle errnoHandle = stateLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        // glibc's syscall() reads every argument as a long: pass longs, not ints.
        MethodHandle bpf = linker.downcallHandle(syscall.get(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(stateLayout);
            MemorySegment attr = arena.allocate(16); // start_id = 0, next_id, open_flags; zeroed
            long result = (long) bpf.invokeExact(state, sysBpf, (long) BPF_PROG_GET_NEXT_ID, attr, 12L);
            if (result >= 0) {
                return Optional.empty();
            }
            int errno = (int) errnoHandle.get(state, 0L);
            return switch (errno) {
                case ENOENT -> Optional.empty(); // permitted; no program is loaded
                case EPERM -> Optional.of("bpf() is not permitted to this process (EPERM): it needs CAP_BPF and"
                        + " CAP_SYS_ADMIN and no seccomp filter blocking bpf(); in a container, run it --privileged");
                case ENOSYS -> Optional.of("the kernel has no bpf() system call (ENOSYS): it needs CONFIG_BPF_SYSCALL=y");
                default -> Optional.of("bpf(BPF_PROG_GET_NEXT_ID) failed with errno " + errno);
            };
        } catch (Throwable e) {
            return Optional.of("cannot call bpf() through the C library: " + e);
        }
    }
}
