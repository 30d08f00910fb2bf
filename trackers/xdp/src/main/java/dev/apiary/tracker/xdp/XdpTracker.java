package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BpfException;
import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.BpfProgram;
import dev.apiary.bpf.TcHook;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The xdp tracker: loads xdp.bpf.o (its tc and XDP programs are not attached by the loader)
 * and attaches them on demand, per container or host interface ({@link #attach}). It owns those
 * links: they are closed by {@link #detach}, when the container goes away (checked every
 * {@code check.ms}, a second by default, against {@link Containers}), and in {@link #stop}; core
 * closing the object would close any left. Registered as a {@link Tracker} for core and under its own class for
 * {@link XdpCommands}. Safe for concurrent use: attachments and rules change under this
 * object's lock.
 */
@Component(service = {Tracker.class, XdpTracker.class}, configurationPid = XdpTracker.PID)
@Designate(ocd = XdpTracker.Config.class)
public final class XdpTracker implements Tracker {

    public static final String NAME = "xdp";

    /** Its configuration PID, also conf/&lt;PID&gt;.cfg: the bundle's symbolic name. */
    public static final String PID = "dev.apiary.tracker.xdp";

    static final String OBJECT = "bpf/xdp.bpf.o";

    /**
     * Its settings ({@code tracker:config xdp}); a change re-creates the component and core
     * restarts the tracker, which releases every attachment (attach again after it). The keys
     * are dotted ({@code ring.kb}): DS and bnd's metatype turn a method name's underscore
     * into a dot.
     */
    @ObjectClassDefinition(id = XdpTracker.PID, name = "xdp tracker",
            description = "Packets, bytes, flows, drop rules and packet capture per container, on its veth pair (xdp:attach)")
    public @interface Config {

        // Only captures use the ring, rate-limited: a few hundred 216-byte records a second per CPU.
        @AttributeDefinition(description = RingSize.DESCRIPTION + "; only xdp:capture uses it",
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 1024;

        @AttributeDefinition(description = "Packets xdp:capture samples per second per CPU, at most (a per-CPU "
                + "one-second window in the kernel)", min = "1", max = "100000")
        int capture_rate() default 200;

        @AttributeDefinition(description = "Flows the kernel counts at once for xdp:flows, over every attachment; "
                + "the least recently seen go first. Each costs some 50 bytes plus 16 per CPU", min = "1024", max = "1048576")
        int flows() default 16384;

        @AttributeDefinition(description = "How often the attachments are checked against the containers and host "
                + "interfaces, ms: how soon those of a container that stopped or an interface that went away are released",
                min = "100", max = "60000")
        int check_ms() default 1000;
    }

    /** What exists while the tracker runs. */
    private record Running(BpfObject obj, XdpKernel kernel, Containers containers, Thread reaper) {
    }

    /** A drop rule in a slot of xdp_rules. */
    record RuleEntry(int slot, Attachment attachment, Rule rule) {
    }

    private final Config config;
    private volatile Running running;
    private final List<Attachment> attachments = new CopyOnWriteArrayList<>();
    private final RuleEntry[] rules = new RuleEntry[XdpLayouts.RULES];
    private boolean capturing;

    @Activate
    public XdpTracker(Config config) {
        this.config = config;
    }


    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "packets, bytes, flows, drop rules and packet capture per container, on its veth pair with tc (default) or XDP; xdp:attach first";
    }

    @Override
    public List<EventType> events() {
        return List.of(new EventType("packet", PacketEvent.class, "a sampled packet's headers, while xdp:capture runs"));
    }

    @Override
    public void start(TrackerContext context) throws Exception {
        XdpDecoder decoder = decoder();
        start(context.load(OBJECT, this::configure, decoder), context.containers());
    }

    /** The decoder for this tracker's records. */
    XdpDecoder decoder() {
        return new XdpDecoder(this::owner);
    }

    /** Checks the object's layouts and sizes its ring and flow table from the settings; before load. */
    void configure(BpfObject o) {
        XdpLayouts.verify(o.btf());
        o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        o.map("xdp_flows").setMaxEntries(config.flows());
    }

    /** Starts on an object loaded elsewhere (tests); it must have been {@link #configure}d. */
    void start(BpfObject obj, Containers containers) {
        Running r = new Running(obj, new XdpKernel(obj), containers,
                Thread.ofPlatform().name("xdp-reaper").daemon().unstarted(this::reap));
        running = r;
        r.reaper().start();
    }

    @Override
    public void stop() {
        Running r = running;
        running = null;
        if (r == null) {
            return;
        }
        r.reaper().interrupt();
        synchronized (this) {
            for (Attachment a : List.copyOf(attachments)) {
                release(r, a);
            }
        }
    }

    // ---- attach and detach -----------------------------------------------------------------

    /**
     * Attaches the programs to a container's veth pair, or to one host interface. With tc
     * both programs go on the host end (its ingress: what the container sends or the
     * interface takes in; its egress: what the container receives or the interface sends).
     * With XDP, which sees only what arrives, the host end's program shows what the container
     * sends and a second one on its own end, inside its network namespace, what it receives;
     * on a host interface XDP shows what comes in.
     *
     * @param word a container name, id or id prefix, or a host interface name
     * @throws IllegalArgumentException for a word that names neither, a container that is not
     *                                  running, uses the host's network, has no veth, or is attached already
     * @throws IllegalStateException    when the kernel refuses (another XDP program is there, ...); nothing stays attached
     */
    synchronized Attachment attach(String word, Hook hook) {
        Running r = running();
        Optional<Container> c = r.containers().find(word);
        if (c.isPresent()) {
            return attachContainer(r, c.get(), hook);
        }
        OptionalInt index = VethPair.hostIndex(word);
        if (index.isEmpty()) {
            throw new IllegalArgumentException("no container or host network interface named '" + word
                    + "' (apiary:containers lists containers, ip link the interfaces)");
        }
        int ifindex = index.getAsInt();
        refuseTaken(Side.HOST, ifindex, word, "");
        if (!hook.isXdp()) {
            refuseTaken(Side.INNER, ifindex, word, "");
        }
        List<Port> ports = new ArrayList<>();
        try {
            ports.add(attachPort(r, Side.HOST, ifindex, word, hook, null));
            if (!hook.isXdp()) {
                ports.add(attachPort(r, Side.INNER, ifindex, word, hook, null));
            }
        } catch (RuntimeException e) {
            undo(r, ports);
            throw e;
        }
        Attachment a = new Attachment(null, word, 0, 0, hook, ports);
        attachments.add(a);
        return a;
    }

    private Attachment attachContainer(Running r, Container c, Hook hook) {
        String name = c.ref().displayName();
        if (!c.running() || c.pid() <= 0) {
            throw new IllegalArgumentException("container " + name + " is not running");
        }
        for (Attachment a : attachments) {
            if (a.isContainer() && a.container().id().equals(c.ref().id())) {
                throw new IllegalArgumentException("container " + name + " is already attached (xdp:detach " + name + " first)");
            }
        }
        Path netNsFile = Path.of("/proc", Integer.toString(c.pid()), "ns", "net");
        long netNs;
        List<VethPair> pairs;
        try {
            netNs = NetNamespace.inode(netNsFile);
            if (netNs == NetNamespace.hostInode()) {
                throw new IllegalArgumentException("container " + name + " uses the host's network (--network host):"
                        + " its packets are the host's; attach a host interface by name instead");
            }
            pairs = VethPair.ofContainer(c.pid()).stream().filter(VethPair::hasHostEnd).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the network interfaces of container " + name + ": " + e.getMessage());
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("container " + name + " has no veth interface (--network none?): nothing to attach to");
        }
        for (VethPair p : pairs) {
            refuseTaken(Side.HOST, p.hostIndex(), p.hostName(), name);
            if (hook.isXdp()) {
                refuseTaken(Side.INNER, p.innerIndex(), p.innerName(), name);
            } else {
                refuseTaken(Side.INNER, p.hostIndex(), p.hostName(), name);
            }
        }
        List<Port> ports = new ArrayList<>();
        try {
            for (VethPair p : pairs) {
                ports.add(attachPort(r, Side.HOST, p.hostIndex(), p.hostName(), hook, null));
            }
            for (VethPair p : pairs) {
                ports.add(hook.isXdp() ? attachPort(r, Side.INNER, p.innerIndex(), p.innerName(), hook, netNsFile)
                        : attachPort(r, Side.INNER, p.hostIndex(), p.hostName(), hook, null));
            }
        } catch (RuntimeException e) {
            undo(r, ports);
            throw e;
        }
        Attachment a = new Attachment(c.ref(), "", c.pid(), netNs, hook, ports);
        attachments.add(a);
        return a;
    }

    /**
     * Refuses a port on (side, ifindex) that an attached one already has: the programs know a
     * port by that pair only (see xdp.bpf.c).
     *
     * @param container the name of the container the new port is for, empty for an interface
     */
    private void refuseTaken(Side side, int ifindex, String ifname, String container) {
        for (Attachment a : attachments) {
            for (Port p : a.ports()) {
                if (p.side() != side || p.ifindex() != ifindex) {
                    continue;
                }
                String whose = container.isEmpty() ? "interface " + ifname : "interface " + ifname + " of container " + container;
                if (p.name().equals(ifname) && (side == Side.HOST || !a.hook().isXdp())) { // the same host interface
                    throw new IllegalArgumentException(whose + " is already attached"
                            + (a.isContainer() ? " as the host end of container " + a.target() : " by name")
                            + " (xdp:detach " + a.target() + " first)");
                }
                throw new IllegalStateException(whose + " has the same index (" + ifindex + ") as " + a.target() + "'s "
                        + p.name() + ", which is attached; detach that one first");
            }
        }
    }

    /** Registers the counters, then attaches (in {@code netNs} when given). */
    private Port attachPort(Running r, Side side, int ifindex, String ifname, Hook hook, Path netNs) {
        BpfProgram program = r.obj().program(side.program(hook));
        r.kernel().register(side, ifindex);
        try {
            BpfLink link;
            if (!hook.isXdp()) {
                link = program.attachTc(ifindex, side == Side.HOST ? TcHook.INGRESS : TcHook.EGRESS);
            } else if (netNs == null) {
                link = program.attachXdp(ifindex, hook.xdp);
            } else {
                link = NetNamespace.call(netNs, () -> program.attachXdp(ifindex, hook.xdp));
            }
            return new Port(side, ifindex, ifname, link);
        } catch (BpfException e) {
            r.kernel().unregister(side, ifindex);
            boolean busy = e.getMessage().contains("another XDP program");
            throw new IllegalStateException("cannot attach to " + ifname + (netNs == null ? "" : " inside the container") + ": "
                    + (busy ? "another XDP program is attached there, and apiary never replaces one (--mode tc works beside it)"
                            : e.getMessage()));
        } catch (RuntimeException e) {
            r.kernel().unregister(side, ifindex);
            throw e;
        }
    }

    private static void undo(Running r, List<Port> ports) {
        for (Port p : ports) {
            p.link().close();
            r.kernel().unregister(p.side(), p.ifindex());
        }
    }

    /**
     * Takes the programs off what {@code word} names.
     *
     * @throws IllegalArgumentException when nothing attached matches
     */
    synchronized Attachment detach(String word) {
        Running r = running();
        Attachment a = find(word).orElseThrow(() -> new IllegalArgumentException("nothing is attached for '" + word
                + "' (xdp:stats lists the attachments)"));
        release(r, a);
        return a;
    }

    /** Closes an attachment's links, its counters, flows and rules. */
    private synchronized void release(Running r, Attachment a) {
        attachments.remove(a);
        for (int slot = 0; slot < rules.length; slot++) {
            if (rules[slot] != null && rules[slot].attachment() == a) {
                rules[slot] = null;
                r.kernel().clearRule(slot, slotsInUse());
            }
        }
        for (Port p : a.ports()) {
            p.link().close();
            r.kernel().unregister(p.side(), p.ifindex());
        }
    }

    /** Releases the attachments of containers that stopped, went away or restarted, and of interfaces gone. */
    private void reap() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                TimeUnit.MILLISECONDS.sleep(config.check_ms());
                reapOnce();
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    /** One pass of the reaper; also called by tests. */
    synchronized List<Attachment> reapOnce() {
        Running r = running;
        List<Attachment> gone = new ArrayList<>();
        if (r == null) {
            return gone;
        }
        for (Attachment a : attachments) {
            if (a.isContainer()) {
                Optional<Container> now = r.containers().find(a.container().id());
                if (now.isEmpty() || !now.get().running() || now.get().pid() != a.pid()) {
                    gone.add(a);
                }
            } else if (VethPair.hostIndex(a.interfaceName()).orElse(-1) != a.index(Side.HOST)) {
                gone.add(a);
            }
        }
        for (Attachment a : gone) {
            release(r, a);
        }
        return gone;
    }

    // ---- queries -------------------------------------------------------------------------

    List<Attachment> attachments() {
        return List.copyOf(attachments);
    }

    Optional<Attachment> find(String word) {
        return attachments.stream().filter(a -> a.matches(word)).findFirst();
    }

    /** The attachment with an end on (side, ifindex). */
    Optional<Attachment> owner(Side side, int ifindex) {
        return attachments.stream().filter(a -> a.ports().stream().anyMatch(p -> p.side() == side && p.ifindex() == ifindex))
                .findFirst();
    }

    XdpKernel kernel() {
        return running().kernel();
    }

    Containers containers() {
        return running().containers();
    }

    boolean isRunning() {
        return running != null;
    }

    // ---- rules ---------------------------------------------------------------------------

    /**
     * Adds a drop rule on an attachment's first veth pair (both ends).
     *
     * @throws IllegalArgumentException when the same rule exists or every slot is taken
     */
    synchronized RuleEntry addRule(Attachment a, Rule rule) {
        Running r = running();
        int free = -1;
        for (int slot = 0; slot < rules.length; slot++) {
            if (rules[slot] == null) {
                free = free < 0 ? slot : free;
            } else if (rules[slot].attachment() == a && rules[slot].rule().equals(rule)) {
                throw new IllegalArgumentException("rule '" + rule + "' already exists for " + a.target());
            }
        }
        if (free < 0) {
            throw new IllegalArgumentException("all " + rules.length + " rule slots are taken (xdp:allow one first)");
        }
        RuleEntry e = new RuleEntry(free, a, rule);
        rules[free] = e;
        r.kernel().setRule(free, rule.encode(a.index(Side.HOST), a.index(Side.INNER)), slotsInUse());
        return e;
    }

    /** Removes a rule; false when the attachment has no such rule. */
    synchronized boolean removeRule(Attachment a, Rule rule) {
        for (int slot = 0; slot < rules.length; slot++) {
            if (rules[slot] != null && rules[slot].attachment() == a && rules[slot].rule().equals(rule)) {
                rules[slot] = null;
                running().kernel().clearRule(slot, slotsInUse());
                return true;
            }
        }
        return false;
    }

    synchronized List<RuleEntry> rules() {
        List<RuleEntry> all = new ArrayList<>();
        for (RuleEntry e : rules) {
            if (e != null) {
                all.add(e);
            }
        }
        return all;
    }

    private int slotsInUse() {
        for (int slot = rules.length - 1; slot >= 0; slot--) {
            if (rules[slot] != null) {
                return slot + 1;
            }
        }
        return 0;
    }

    // ---- capture -------------------------------------------------------------------------

    /** A capture in progress; closing it turns sampling off. */
    interface Capture extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Starts sampling the packets of an attachment that match {@code filter}, at most
     * {@link Config#capture_rate} a second per CPU.
     *
     * @throws IllegalStateException when a capture is already running (one at a time)
     */
    synchronized Capture startCapture(Attachment a, Rule filter) {
        Running r = running();
        if (capturing) {
            throw new IllegalStateException("a capture is already running; one at a time");
        }
        capturing = true;
        byte[] f = filter.encode(a.index(Side.HOST), a.index(Side.INNER));
        r.kernel().capture(true, config.capture_rate(), f);
        return new Capture() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (XdpTracker.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    capturing = false;
                    Running now = running;
                    if (now != null) {
                        now.kernel().capture(false, 0, new byte[Rule.SIZE]);
                    }
                }
            }
        };
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("the xdp tracker is not running (tracker:start xdp)");
        }
        return r;
    }
}
