package dev.apiary.tracker.syscall;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;
import java.util.List;

/**
 * One system call of the traced container ({@code syscall:trace}), reported at its return.
 * The header's time is the return's.
 *
 * @param nr         the syscall number on the running architecture
 * @param name       its name (libseccomp), or {@code syscall_NNN}
 * @param args       the six argument registers as the syscall received them, raw (pointers are addresses in the caller)
 * @param ret        the return value: a negative errno when it failed
 * @param durationNs from entry to return
 */
public record SyscallEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the syscall number on the running architecture") int nr,
        @FieldDoc("the syscall's name, or syscall_NNN when unknown") String name,
        @FieldDoc("the six argument registers, raw") List<Long> args,
        @FieldDoc("the return value; a negative errno on failure") long ret,
        @FieldDoc("from entry to return, ns") long durationNs) implements Event {

    public static final String TYPE = "syscall";

    public SyscallEvent {
        args = List.copyOf(args);
    }

    /** One line: name(args in hex) = ret. */
    public String line() {
        StringBuilder s = new StringBuilder(name).append('(');
        for (int i = 0; i < args.size(); i++) {
            s.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(args.get(i)));
        }
        return s.append(") = ").append(ret).toString();
    }
}
