package dev.apiary.sdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Syscall names of the running architecture, by number, from libseccomp
 * ({@code seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr)} in libseccomp.so.2, called
 * through FFM): the table seccomp filters themselves are written against, not a hand-typed
 * list. Resolved once for every number the kernel side counts; immutable after, so safe for
 * concurrent use.
 *
 * <p>Without libseccomp (or for a number it does not know, such as a syscall newer than the
 * library) a number is shown as {@code syscall_NNN}, and {@link #problem()} says why.
 */
public final class SyscallNames {

    /** The library and the Debian package that ships it. */
    static final String LIBRARY = "libseccomp.so.2", PACKAGE = "libseccomp2";
    private static final int SCMP_ARCH_NATIVE = 0;

    private final String[] names;
    private final Map<String, Integer> numbers = new HashMap<>();
    private final String problem;

    private SyscallNames(String[] names, String problem) {
        this.names = names.clone();
        this.problem = problem;
        for (int nr = 0; nr < this.names.length; nr++) {
            if (this.names[nr] != null) {
                numbers.putIfAbsent(this.names[nr], nr);
            }
        }
    }

    /** A table from given names (index = number; null = unknown), for tests and other sources. */
    public static SyscallNames of(String[] names) {
        return new SyscallNames(names, null);
    }

    /**
     * Resolves numbers 0 to {@code count - 1} with libseccomp. Never throws: a missing
     * library gives a table of {@code syscall_NNN} with {@link #problem()} set.
     */
    public static SyscallNames load(int count) {
        String[] names = new String[count];
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup seccomp = SymbolLookup.libraryLookup(LIBRARY, arena);
            Linker linker = Linker.nativeLinker();
            MethodHandle resolve = linker.downcallHandle(seccomp.findOrThrow("seccomp_syscall_resolve_num_arch"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle free = linker.downcallHandle(linker.defaultLookup().findOrThrow("free"),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            for (int nr = 0; nr < count; nr++) {
                MemorySegment name = (MemorySegment) resolve.invokeExact(SCMP_ARCH_NATIVE, nr);
                if (!name.equals(MemorySegment.NULL)) {
                    names[nr] = name.reinterpret(256).getString(0); // libseccomp's names are short; strdup'ed
                    free.invokeExact(name);
                }
            }
            return new SyscallNames(names, null);
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            return new SyscallNames(new String[count], "syscall names unavailable: " + LIBRARY + " not found (install "
                    + PACKAGE + "); numbers are shown as syscall_NNN");
        } catch (Throwable t) {
            return new SyscallNames(new String[count], "syscall names unavailable: " + LIBRARY + " failed: " + t
                    + "; numbers are shown as syscall_NNN");
        }
    }

    /** The name of a syscall number, or {@code syscall_NNN} when unknown. */
    public String name(int nr) {
        String n = nr >= 0 && nr < names.length ? names[nr] : null;
        return n != null ? n : "syscall_" + nr;
    }

    /** The number of a syscall name (also {@code syscall_NNN}); empty when unknown here. */
    public OptionalInt number(String name) {
        Integer nr = numbers.get(name);
        if (nr != null) {
            return OptionalInt.of(nr);
        }
        if (name.startsWith("syscall_")) {
            try {
                int n = Integer.parseInt(name.substring("syscall_".length()));
                if (n >= 0 && n < names.length) {
                    return OptionalInt.of(n);
                }
            } catch (NumberFormatException e) {
                // not a number: unknown
            }
        }
        return OptionalInt.empty();
    }

    /** How many numbers the table covers. */
    public int size() {
        return names.length;
    }

    /** Why names are missing, or empty when libseccomp answered. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }
}
