package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import dev.apiary.bpf.libbpf.bpf_object_open_opts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A BPF object file (ELF) opened through libbpf: its programs, its maps, and the links of
 * the programs attached through it.
 *
 * <p>Use it in one fixed sequence, as libbpf does:
 * <pre>{@code
 * try (BpfObject obj = BpfObject.open(Path.of("exec.bpf.o"))) {
 *     obj.globals().set("target_tgid", pid);       // configure: const volatile globals
 *     obj.map("apiary_events").setMaxEntries(1 << 20); //            and map sizes
 *     obj.load();                                      // the verifier runs here
 *     obj.attachAll();                                 // every program its section can attach
 *     try (RingBuffer ring = obj.ringBuffer()) { ... } // consume
 * }
 * }</pre>
 *
 * <p>Closing the object detaches every link made through it, closes its programs and maps
 * and frees the native memory it holds; closing twice does nothing. A {@link RingBuffer}
 * opened on one of its maps must be closed first. Opening, configuring, loading and
 * closing are meant for one thread; after load, map operations may run on any thread.
 */
public final class BpfObject implements AutoCloseable {

    /** The verifier's log of a rejected program is written here; the kernel keeps its tail if longer. */
    private static final int VERIFIER_LOG_BYTES = 1 << 20;
    private static final MethodHandle OPEN_MEM = Native.withErrno(Libbpf.bpf_object__open_mem$address(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    private final String name;
    private final Arena arena;
    /** The verifier log buffer and the open options: needed until a successful load only. */
    private Arena loadArena;
    private final MemorySegment logBuffer;
    private MemorySegment handle;
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final List<BpfLink> links = new ArrayList<>();
    private BpfGlobals globals;
    private Btf btf;
    private boolean loaded;
    private List<PinnedMap> pinned = List.of();

    private BpfObject(String name, Arena arena, Arena loadArena, MemorySegment logBuffer, MemorySegment handle) {
        this.name = name;
        this.arena = arena;
        this.loadArena = loadArena;
        this.logBuffer = logBuffer;
        this.handle = handle;
        for (MemorySegment p = Libbpf.bpf_object__next_program(handle, MemorySegment.NULL);
                !p.equals(MemorySegment.NULL); p = Libbpf.bpf_object__next_program(handle, p)) {
            BpfProgram program = new BpfProgram(this, p);
            programs.put(program.name(), program);
        }
        for (MemorySegment m = Libbpf.bpf_object__next_map(handle, MemorySegment.NULL);
                !m.equals(MemorySegment.NULL); m = Libbpf.bpf_object__next_map(handle, m)) {
            BpfMap map = new BpfMap(this, m);
            maps.put(map.name(), map);
        }
    }

    /**
     * Opens an object from the bytes of its ELF file. Nothing reaches the kernel yet.
     *
     * @param name the object's name in messages and in the kernel (libbpf keeps 15 characters of map prefixes)
     * @throws BpfException if libbpf cannot parse the ELF (not a BPF object, no BTF where needed, ...)
     */
    public static BpfObject open(byte[] elf, String name) {
        return open(elf, name, null);
    }

    /**
     * Opens an object whose maps declared with {@code __uint(pinning, LIBBPF_PIN_BY_NAME)}
     * are pinned at {@code pinRoot/<map name>} on load, reusing a map already pinned there
     * (libbpf's pin_root_path). Call {@link #reconcilePins()} before {@link #load()} so that
     * a pinned map whose definition changed is replaced instead of failing the load.
     *
     * @param pinRoot a folder in a bpffs mount, or null for libbpf's default (/sys/fs/bpf)
     */
    public static BpfObject open(byte[] elf, String name, Path pinRoot) {
        LibbpfLog.install();
        Arena arena = Arena.ofShared();
        // The verifier log buffer and the options live until the load (a megabyte per object
        // that a running tracker has no use for); the ELF copy only through the open, at whose
        // end libbpf has parsed it and ended its ELF handle (bpf_object__elf_finish).
        Arena loadArena = Arena.ofShared();
        try (Arena elfArena = Arena.ofConfined()) {
            MemorySegment buffer = elfArena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buffer, ValueLayout.JAVA_BYTE, 0, elf.length);
            MemorySegment logBuffer = loadArena.allocate(VERIFIER_LOG_BYTES);
            MemorySegment opts = bpf_object_open_opts.allocate(loadArena);
            bpf_object_open_opts.sz(opts, bpf_object_open_opts.sizeof());
            bpf_object_open_opts.object_name(opts, loadArena.allocateFrom(name));
            bpf_object_open_opts.kernel_log_buf(opts, logBuffer);
            bpf_object_open_opts.kernel_log_size(opts, VERIFIER_LOG_BYTES);
            // Level 0: no log while loading, but on failure libbpf retries at level 1 into our buffer.
            bpf_object_open_opts.kernel_log_level(opts, 0);
            if (pinRoot != null) {
                bpf_object_open_opts.pin_root_path(opts, loadArena.allocateFrom(pinRoot.toString()));
            }
            MemorySegment state = Native.errnoState(arena);
            List<String> warnings = new ArrayList<>();
            MemorySegment handle = LibbpfLog.captureInto(warnings, () -> {
                try {
                    return (MemorySegment) OPEN_MEM.invokeExact(state, buffer, (long) elf.length, opts);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            });
            if (handle.equals(MemorySegment.NULL)) {
                throw new BpfException("cannot open BPF object '" + name + "'" + details(warnings), Native.errno(state));
            }
            return new BpfObject(name, arena, loadArena, logBuffer, handle);
        } catch (RuntimeException | Error e) {
            arena.close();
            loadArena.close();
            throw e;
        }
    }

    /** Opens an object read from a stream (a bundle resource, say); the stream is read to its end, not closed. */
    public static BpfObject open(InputStream in, String name) {
        try {
            return open(in.readAllBytes(), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BPF object '" + name + "'", e);
        }
    }

    /** Opens an object file; its name is the file name without {@code .bpf.o} / {@code .o}. */
    public static BpfObject open(Path path) {
        String file = path.getFileName().toString();
        String name = file.endsWith(".bpf.o") ? file.substring(0, file.length() - 6)
                : file.endsWith(".o") ? file.substring(0, file.length() - 2) : file;
        try {
            return open(Files.readAllBytes(path), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BPF object " + path, e);
        }
    }

    public String name() {
        return name;
    }

    /** The programs, in the order of the ELF file. */
    public List<BpfProgram> programs() {
        return List.copyOf(programs.values());
    }

    /** The maps, in the order of the ELF file, including libbpf's internal ones (.rodata, .bss, ...). */
    public List<BpfMap> maps() {
        return List.copyOf(maps.values());
    }

    /** @throws BpfException if the object has no program of that name */
    public BpfProgram program(String programName) {
        BpfProgram p = programs.get(programName);
        if (p == null) {
            throw new BpfException("BPF object '" + name + "' has no program '" + programName + "'; it has " + programs.keySet());
        }
        return p;
    }

    /** @throws BpfException if the object has no map of that name */
    public BpfMap map(String mapName) {
        BpfMap m = maps.get(mapName);
        if (m == null) {
            throw new BpfException("BPF object '" + name + "' has no map '" + mapName + "'; it has " + maps.keySet());
        }
        return m;
    }

    public Optional<BpfMap> findMap(String mapName) {
        return Optional.ofNullable(maps.get(mapName));
    }

    /**
     * The object's read-only globals ({@code const volatile} in C), to set before load.
     *
     * @throws BpfException if the object has no read-only globals
     */
    public BpfGlobals globals() {
        checkOpen();
        if (globals == null) {
            BpfMap rodata = maps.values().stream()
                    .filter(m -> m.isInternal() && m.name().endsWith(".rodata"))
                    .findFirst()
                    .orElseThrow(() -> new BpfException("BPF object '" + name + "' has no const volatile globals"));
            globals = new BpfGlobals(this, rodata, btf());
        }
        return globals;
    }

    /** The object's own BTF: its types, for layouts of its events. Valid until the object is closed. */
    public Btf btf() {
        checkOpen();
        if (btf == null) {
            MemorySegment b = Libbpf.bpf_object__btf(handle);
            if (b.equals(MemorySegment.NULL)) {
                throw new BpfException("BPF object '" + name + "' carries no BTF: compile it with clang -g");
            }
            btf = new Btf(b, null);
        }
        return btf;
    }

    /**
     * Creates the maps and loads every program that is set to load into the kernel.
     *
     * @throws BpfException if the kernel refuses a program or a map; a rejected program's
     *     exception carries the verifier's log. The object stays open and must still be closed.
     */
    public void load() {
        checkOpen();
        if (loaded) {
            throw new BpfException("BPF object '" + name + "' is already loaded");
        }
        logBuffer.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
        List<String> warnings = new ArrayList<>();
        int err = LibbpfLog.captureInto(warnings, () -> Libbpf.bpf_object__load(handle));
        // libbpf parsed and freed the kernel's BTF for this load: give those megabytes back.
        Native.mallocTrim();
        if (err != 0) {
            String log = logBuffer.getString(0).strip();
            throw new BpfException("cannot load BPF object '" + name + "'" + details(warnings), err, log);
        }
        loaded = true;
        loadArena.close(); // the log buffer: only a failed load has a log to read
        loadArena = null;
    }

    /**
     * Before load, checks each pinned map (see {@link #open(byte[], String, Path)}) against
     * what is pinned at its path: a map of the same type, key and value size, capacity and
     * flags is kept for libbpf to reuse; a different one is unpinned, so that the load creates
     * a fresh map instead of failing. Call it after the last change to map sizes.
     *
     * @return one entry per map with a pin path, in the object's order
     * @throws BpfException when a pin exists but cannot be read or removed
     */
    public List<PinnedMap> reconcilePins() {
        checkNotLoaded("reconcile pinned maps");
        List<PinnedMap> out = new ArrayList<>();
        for (BpfMap map : maps.values()) {
            Optional<Path> pin = map.pinPath();
            if (pin.isEmpty()) {
                continue;
            }
            Path path = pin.get();
            if (!Files.exists(path)) {
                out.add(new PinnedMap(map.name(), path, PinnedMap.Outcome.NEW, ""));
                continue;
            }
            String difference = PinnedMaps.difference(path, map);
            if (difference.isEmpty()) {
                out.add(new PinnedMap(map.name(), path, PinnedMap.Outcome.REUSED, ""));
            } else {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new BpfException("cannot remove the incompatible pinned map " + path + ": " + e);
                }
                out.add(new PinnedMap(map.name(), path, PinnedMap.Outcome.INCOMPATIBLE, difference));
            }
        }
        pinned = List.copyOf(out);
        return pinned;
    }

    /** The links open now, made by this object's programs, in the order they were made. */
    public List<BpfLink> links() {
        synchronized (links) {
            return List.copyOf(links);
        }
    }

    /** What the last {@link #reconcilePins()} found; empty before it ran. */
    public List<PinnedMap> pinnedMaps() {
        return pinned;
    }

    /** Whether the map named was kept from an earlier load (see {@link #reconcilePins()}). */
    public boolean keptFromEarlierLoad(String mapName) {
        return pinned.stream().anyMatch(p -> p.map().equals(mapName) && p.outcome() == PinnedMap.Outcome.REUSED);
    }

    public boolean isLoaded() {
        return loaded;
    }

    /**
     * Attaches every program whose section names its attach point (tracepoint/..., tp_btf/...,
     * raw_tp/...), skipping those that are not loaded, have auto-attach turned off, or whose
     * section cannot attach by itself (xdp, cgroup_skb, ...: attach those explicitly).
     *
     * @return the links made, also kept by the object and detached when it closes
     * @throws BpfException on the first program that fails to attach; those already attached stay attached
     */
    public List<BpfLink> attachAll() {
        checkLoaded();
        List<BpfLink> made = new ArrayList<>();
        for (BpfProgram program : programs.values()) {
            if (!program.autoload() || !program.autoattach()) {
                continue;
            }
            program.tryAttach().ifPresent(made::add);
        }
        return Collections.unmodifiableList(made);
    }

    /**
     * The last two steps for an object that needs nothing between them: {@link #load()}, then
     * {@link #attachAll()}. If either fails the object is closed (nothing stays loaded or
     * attached) and the exception propagates.
     *
     * @return this object, loaded and attached
     */
    public BpfObject loadAndAttach() {
        try {
            load();
            attachAll();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens a reader on the Apiary ring buffer {@code apiary_events} with its lost counter {@code apiary_events_lost}. */
    public RingBuffer ringBuffer() {
        return RingBuffer.open(map("apiary_events"), findMap("apiary_events_lost").orElse(null));
    }

    /** Detaches every link, closes every program and map, and frees native memory. Idempotent. */
    @Override
    public void close() {
        if (handle == null) {
            return;
        }
        closeLinks(links().reversed());
        Libbpf.bpf_object__close(handle);
        handle = null;
        arena.close();
        if (loadArena != null) {
            loadArena.close(); // never loaded, or its load failed
            loadArena = null;
        }
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + (loaded ? ", loaded" : "") + (handle == null ? ", closed" : "") + "]";
    }

    /**
     * Detaching a trampoline program (tp_btf, fentry) waits in the kernel for an RCU tasks
     * grace period, some 100 ms each: one after another, a tracker of 15 programs took 2 s
     * to stop. Closed at once from several threads, the links share the waits.
     */
    private static void closeLinks(List<BpfLink> open) {
        if (open.size() <= 1) {
            open.forEach(BpfLink::close);
            return;
        }
        List<Thread> closers = new ArrayList<>();
        for (BpfLink link : open) {
            closers.add(Thread.ofPlatform().daemon().name("apiary-detach").start(link::close));
        }
        boolean interrupted = false;
        for (Thread t : closers) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the links must be closed before the object frees them
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void adopt(BpfLink link) {
        synchronized (links) {
            links.add(link);
        }
    }

    void forget(BpfLink link) {
        synchronized (links) {
            links.remove(link);
        }
    }

    Arena arena() {
        return arena;
    }

    void checkOpen() {
        if (handle == null) {
            throw new BpfException("BPF object '" + name + "' is closed");
        }
    }

    void checkLoaded() {
        checkOpen();
        if (!loaded) {
            throw new BpfException("BPF object '" + name + "' is not loaded yet");
        }
    }

    void checkNotLoaded(String what) {
        checkOpen();
        if (loaded) {
            throw new BpfException("cannot " + what + " of BPF object '" + name + "' after it is loaded");
        }
    }

    /** libbpf's own words about a failure, for the exception: its last warning lines, verifier log aside. */
    private static String details(List<String> warnings) {
        List<String> useful = new ArrayList<>();
        for (String w : warnings) {
            if (!w.contains("-- BEGIN PROG LOAD LOG --")) {
                useful.add(w.replaceFirst("^libbpf: ", ""));
            }
        }
        if (useful.isEmpty()) {
            return "";
        }
        int from = Math.max(0, useful.size() - 3);
        return " (" + String.join("; ", useful.subList(from, useful.size())) + ")";
    }
}
