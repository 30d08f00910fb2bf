package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The xdp tracker: loads xdp.bpf.o (its tc and XDP programs are not attached by the loader)
 * and attaches them on demand, per container or host interface ({@link #attach}). Each run,
 * from start to stop, has its {@link Attachments} (which own the links), {@link RuleTable}
 * and {@link Sampling} over one {@link XdpKernel}; this class starts and stops the run,
 * checks every {@code check.ms} (a second by default) that the attachments' containers
 * (against {@link Containers}) and interfaces are still there, and hands the rest on. Links
 * are closed by {@link #detach}, when their container or interface goes away, and in
 * {@link #stop}; core closing the object would close any left. Registered as a
 * {@link Tracker} for core and under its own class for {@link XdpCommands}. Safe for
 * concurrent use: changes and stop happen under this object's lock; the queries take none.
 */
@Component(service = {Tracker.class, XdpTracker.class}, configurationPid = XdpTracker.PID)
@Designate(ocd = XdpTracker.Config.class)
public final class XdpTracker implements Tracker {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(XdpTracker.class);

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

    /**
     * What exists while the tracker runs: the object's maps, and the attachments, rules and
     * sampling over them; each start makes new ones.
     */
    private record Running(XdpKernel kernel, Containers containers, Attachments attachments, RuleTable rules,
            Sampling sampling, Thread reaper) {
    }

    private final Config config;
    private volatile Running running;

    @Activate
    public XdpTracker(Config config) {
        this.config = config;
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

    /** Sizes its ring and flow table from the settings; before load (core has checked the layouts). */
    void configure(BpfObject o) {
        o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        o.map("xdp_flows").setMaxEntries(config.flows());
    }

    /** Starts on an object loaded elsewhere (tests); it must have been {@link #configure}d. */
    void start(BpfObject obj, Containers containers) {
        XdpKernel kernel = new XdpKernel(obj);
        RuleTable rules = new RuleTable(kernel);
        Attachments attachments = new Attachments(obj, kernel, containers, rules::forget);
        Running r = new Running(kernel, containers, attachments, rules, new Sampling(kernel, config.capture_rate()),
                Thread.ofPlatform().name("xdp-reaper").daemon().unstarted(this::reap));
        running = r;
        r.reaper().start();
    }

    /** Releases every attachment (links, counters, flows and rules); a capture still open writes nothing when closed. */
    @Override
    public void stop() {
        Running r = running;
        running = null;
        if (r == null) {
            return;
        }
        r.reaper().interrupt();
        synchronized (this) {
            r.attachments().releaseAll();
            r.sampling().end();
        }
    }

    // ---- attachments ---------------------------------------------------------------------
    // Each change holds this object's lock, as stop does, so that none lands in a run that has
    // stopped; the run's parts lock themselves as well, for their own state.

    /** See {@link Attachments#attach}. */
    synchronized Attachment attach(String word, Hook hook) {
        return running().attachments().attach(word, hook);
    }

    /** See {@link Attachments#detach}. */
    synchronized Attachment detach(String word) {
        return running().attachments().detach(word);
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
        return r == null ? List.of() : r.attachments().reapOnce();
    }

    // ---- queries -------------------------------------------------------------------------

    List<Attachment> attachments() {
        Running r = running;
        return r == null ? List.of() : r.attachments().list();
    }

    Optional<Attachment> find(String word) {
        Running r = running;
        return r == null ? Optional.empty() : r.attachments().find(word);
    }

    /** The attachment with an end on (side, ifindex). */
    Optional<Attachment> owner(Side side, int ifindex) {
        Running r = running;
        return r == null ? Optional.empty() : r.attachments().owner(side, ifindex);
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

    // ---- rules and capture ---------------------------------------------------------------

    /** See {@link RuleTable#add}. */
    synchronized RuleEntry addRule(Attachment a, Rule rule) {
        return running().rules().add(a, rule);
    }

    /** See {@link RuleTable#remove}; false too when the tracker is not running (it has no rules then). */
    synchronized boolean removeRule(Attachment a, Rule rule) {
        Running r = running;
        return r != null && r.rules().remove(a, rule);
    }

    List<RuleEntry> rules() {
        Running r = running;
        return r == null ? List.of() : r.rules().list();
    }

    /**
     * Starts sampling the packets of an attachment that match {@code filter}, at most
     * {@link Config#capture_rate} a second per CPU.
     *
     * @throws IllegalStateException when a capture is already running (one at a time)
     */
    synchronized Capture startCapture(Attachment a, Rule filter) {
        return running().sampling().start(a, filter);
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("the xdp tracker is not running (tracker:start xdp)");
        }
        return r;
    }
}
