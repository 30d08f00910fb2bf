package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import java.lang.foreign.MemorySegment;

/**
 * A program attached to something. Closing the link detaches the program; closing twice does
 * nothing. Links are also closed, in reverse order, when their {@link BpfObject} closes.
 */
public final class BpfLink implements AutoCloseable {

    private final BpfObject owner;
    private final String program;
    private final String target;
    private MemorySegment libbpfLink; // a struct bpf_link *, or NULL for a raw link fd
    private int fd;

    private BpfLink(BpfObject owner, String program, String target, MemorySegment libbpfLink, int fd) {
        this.owner = owner;
        this.program = program;
        this.target = target;
        this.libbpfLink = libbpfLink;
        this.fd = fd;
    }

    static BpfLink ofLibbpf(BpfObject owner, String program, String target, MemorySegment link) {
        BpfLink l = new BpfLink(owner, program, target, link, Libbpf.bpf_link__fd(link));
        owner.adopt(l);
        return l;
    }

    static BpfLink ofFd(BpfObject owner, String program, String target, int fd) {
        BpfLink l = new BpfLink(owner, program, target, MemorySegment.NULL, fd);
        owner.adopt(l);
        return l;
    }

    /** The name of the program it attaches. */
    public String program() {
        return program;
    }

    /** What it attaches to: "at tp_btf/sched_process_exec", "on ifindex 7 (generic)", "on cgroup /sys/fs/cgroup/...". */
    public String target() {
        return target;
    }

    /** The link's file descriptor, or -1 once closed. */
    public int fd() {
        return fd;
    }

    /** The kernel's id of the link, as bpftool shows it. */
    public int id() {
        if (fd < 0) {
            throw new BpfException("link " + program + " " + target + " is closed");
        }
        return KernelBpfObjects.idOf(fd);
    }

    public boolean isOpen() {
        return fd >= 0;
    }

    @Override
    public void close() {
        if (fd < 0) {
            return;
        }
        if (!libbpfLink.equals(MemorySegment.NULL)) {
            Libbpf.bpf_link__destroy(libbpfLink);
        } else {
            Native.close(fd);
        }
        libbpfLink = MemorySegment.NULL;
        fd = -1;
        owner.forget(this);
    }

    @Override
    public String toString() {
        return "BpfLink[" + program + " " + target + (fd < 0 ? ", closed" : "") + "]";
    }
}
