package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import dev.apiary.bpf.libbpf.bpf_link_create_opts;
import dev.apiary.bpf.libbpf.bpf_test_run_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One program of a {@link BpfObject}. Before load it can be kept from loading or from
 * auto-attaching; after load it can be attached, and every link made is owned by the object.
 */
public final class BpfProgram {

    private static final MethodHandle ATTACH = Native.withErrno(Libbpf.bpf_program__attach$address(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle ATTACH_CGROUP = Native.withErrno(Libbpf.bpf_program__attach_cgroup$address(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private final BpfObject owner;
    private final MemorySegment handle;
    private final String name;
    private final String sectionName;

    BpfProgram(BpfObject owner, MemorySegment handle) {
        this.owner = owner;
        this.handle = handle;
        this.name = Libbpf.bpf_program__name(handle).getString(0);
        this.sectionName = Libbpf.bpf_program__section_name(handle).getString(0);
    }

    public String name() {
        return name;
    }

    /** The ELF section, which names the program type and, for most, the attach point. */
    public String sectionName() {
        return sectionName;
    }

    /** The kernel's program type name: "tracepoint", "tracing", "xdp", ... */
    public String typeName() {
        MemorySegment s = Libbpf.libbpf_bpf_prog_type_str(Libbpf.bpf_program__type(handle));
        return s.equals(MemorySegment.NULL) ? "type " + Libbpf.bpf_program__type(handle) : s.getString(0);
    }

    /** The program's file descriptor once loaded; -1 before load or when it was not loaded. */
    public int fd() {
        owner.checkOpen();
        return Libbpf.bpf_program__fd(handle);
    }

    /** The kernel's id of the loaded program, as bpftool shows it. */
    public int id() {
        return KernelBpfObjects.idOf(fd());
    }

    public boolean autoload() {
        return Libbpf.bpf_program__autoload(handle);
    }

    /** Whether {@link BpfObject#load()} loads this program; set before load. */
    public void setAutoload(boolean load) {
        owner.checkNotLoaded("change autoload of program '" + name + "'");
        check(Libbpf.bpf_program__set_autoload(handle, load), "cannot set autoload");
    }

    public boolean autoattach() {
        return Libbpf.bpf_program__autoattach(handle);
    }

    /** Whether {@link BpfObject#attachAll()} attaches this program. */
    public void setAutoattach(boolean attach) {
        owner.checkOpen();
        Libbpf.bpf_program__set_autoattach(handle, attach);
    }

    /**
     * Attaches the program where its section says (tracepoint/syscalls/sys_enter_openat,
     * tp_btf/sched_process_exec, raw_tp/...).
     *
     * @throws BpfException if the section names no attach point or the kernel refuses
     */
    public BpfLink attach() {
        return tryAttach().orElseThrow(() -> new BpfException(
                "program '" + name + "' (section " + sectionName + ") cannot attach by its section name; attach it explicitly",
                Native.EOPNOTSUPP));
    }

    /** Empty when the section has no attach point of its own; throws on any other failure. */
    Optional<BpfLink> tryAttach() {
        owner.checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(call);
            MemorySegment link = (MemorySegment) ATTACH.invokeExact(state, handle);
            if (link.equals(MemorySegment.NULL)) {
                int errno = Native.errno(state);
                if (errno == Native.EOPNOTSUPP) {
                    return Optional.empty();
                }
                throw new BpfException("cannot attach program '" + name + "' at " + sectionName + hint(errno), errno);
            }
            return Optional.of(BpfLink.ofLibbpf(owner, name, "at " + sectionName, link));
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Attaches an XDP program to a network interface through a BPF link: it is detached when
     * the link closes, and it does not replace an XDP program already there (the kernel
     * answers EBUSY, reported as such).
     */
    public BpfLink attachXdp(int ifindex, XdpMode mode) {
        owner.checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment opts = bpf_link_create_opts.allocate(call);
            bpf_link_create_opts.sz(opts, bpf_link_create_opts.sizeof());
            bpf_link_create_opts.flags(opts, mode.flags);
            int fd = Libbpf.bpf_link_create(fd(), ifindex, Libbpf.BPF_XDP(), opts);
            if (fd < 0) {
                String why = fd == -Native.EBUSY ? " (another XDP program is attached there)" : "";
                throw new BpfException("cannot attach XDP program '" + name + "' to interface " + ifindex
                        + " in " + mode.name().toLowerCase() + " mode" + why, fd);
            }
            return BpfLink.ofFd(owner, name, "on ifindex " + ifindex + " (" + mode.name().toLowerCase() + ")", fd);
        }
    }

    /**
     * Attaches a TC program ({@code SEC("tc")}) to a network interface's ingress or egress
     * through a tcx link (Linux 6.6+). It goes after the programs already there and replaces
     * none; it is detached when the link closes.
     *
     * @throws BpfException when the kernel refuses; a kernel without tcx answers EINVAL, said as such
     */
    public BpfLink attachTc(int ifindex, TcHook hook) {
        owner.checkLoaded();
        int fd = Libbpf.bpf_link_create(fd(), ifindex, hook.attachType, MemorySegment.NULL);
        String where = hook.name().toLowerCase() + " of ifindex " + ifindex;
        if (fd < 0) {
            String why = fd == -Native.EINVAL ? " (tcx needs Linux 6.6 or later, and a program of section tc)" : "";
            throw new BpfException("cannot attach TC program '" + name + "' to the " + where + why, fd);
        }
        return BpfLink.ofFd(owner, name, "on the tc " + where, fd);
    }

    /** Attaches an XDP program to the interface of that name in the caller's network namespace. */
    public BpfLink attachXdp(String interfaceName, XdpMode mode) {
        return attachXdp(NetInterfaces.index(interfaceName), mode);
    }

    /** Attaches a cgroup program (cgroup_skb/ingress, ...) to the cgroup v2 folder given. */
    public BpfLink attachCgroup(Path cgroup) {
        owner.checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(call);
            int cgroupFd = (int) Native.OPEN.invokeExact(state, call.allocateFrom(cgroup.toString()),
                    Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC);
            if (cgroupFd < 0) {
                throw new BpfException("cannot open cgroup " + cgroup, Native.errno(state));
            }
            try {
                MemorySegment link = (MemorySegment) ATTACH_CGROUP.invokeExact(state, handle, cgroupFd);
                if (link.equals(MemorySegment.NULL)) {
                    throw new BpfException("cannot attach program '" + name + "' to cgroup " + cgroup, Native.errno(state));
                }
                return BpfLink.ofLibbpf(owner, name, "on cgroup " + cgroup, link);
            } finally {
                Native.close(cgroupFd); // the link holds its own reference to the cgroup
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Runs the program once in the kernel (BPF_PROG_TEST_RUN) with no input, on the calling
     * thread, for program types that support it (raw_tp, xdp with data, syscall, ...).
     *
     * @return the program's return value
     */
    public int run() {
        owner.checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment opts = bpf_test_run_opts.allocate(call);
            bpf_test_run_opts.sz(opts, bpf_test_run_opts.sizeof());
            int err = Libbpf.bpf_prog_test_run_opts(fd(), opts);
            if (err != 0) {
                throw new BpfException("cannot test-run program '" + name + "'", err);
            }
            return bpf_test_run_opts.retval(opts);
        }
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + " in " + sectionName + "]";
    }

    private static String hint(int errno) {
        return errno == Native.ENOENT ? " (is tracefs mounted at /sys/kernel/tracing, and does the tracepoint exist?)" : "";
    }

    private void check(int err, String what) {
        if (err != 0) {
            throw new BpfException(what + " of program '" + name + "'", err);
        }
    }
}
