package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BpfException;
import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.BpfProgram;
import dev.apiary.bpf.TcHook;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.Containers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The attachments of one run of the tracker: puts its tc or XDP programs on a container's
 * veth pair or on a host interface ({@link #attach}), with the counters of each end, and
 * releases them on {@link #detach}, when their container or interface went away
 * ({@link #reapOnce}), and all at once when the tracker stops ({@link #releaseAll}).
 *
 * <p>It owns the links it makes: releasing an attachment first hands it to
 * {@code released} (the rule table drops its rules), then closes its links and drops its
 * ends' counters and flows. It never closes the object or its maps; a link left open when
 * the object closes is closed with it.
 *
 * <p>Safe for concurrent use: changes are serialized on this object. The reads
 * ({@link #list}, {@link #find}, {@link #owner}) take no lock (the list is copy-on-write),
 * so the decoder's thread never waits for an attach. Refusals are
 * {@link IllegalArgumentException}s (a wrong word) and {@link IllegalStateException}s (the
 * kernel refused); after either nothing new stays attached.
 */
final class Attachments {

    private final BpfObject obj;
    private final XdpKernel kernel;
    private final Containers containers;
    private final Consumer<Attachment> released;
    private final List<Attachment> attached = new CopyOnWriteArrayList<>();

    /**
     * @param obj        the loaded object whose programs are attached
     * @param kernel     its maps, where each end's counters are registered
     * @param containers the containers core knows: what a word names, and who is still running
     * @param released   told of each attachment as it is released, under this object's lock,
     *                   before its links close
     */
    Attachments(BpfObject obj, XdpKernel kernel, Containers containers, Consumer<Attachment> released) {
        this.obj = obj;
        this.kernel = kernel;
        this.containers = containers;
        this.released = released;
    }

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
        Optional<Container> c = containers.find(word);
        if (c.isPresent()) {
            return attachContainer(c.get(), hook);
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
            ports.add(attachPort(Side.HOST, ifindex, word, hook, null));
            if (!hook.isXdp()) {
                ports.add(attachPort(Side.INNER, ifindex, word, hook, null));
            }
        } catch (RuntimeException e) {
            undo(ports);
            throw e;
        }
        Attachment a = new Attachment(null, word, 0, 0, hook, ports);
        attached.add(a);
        return a;
    }

    private Attachment attachContainer(Container c, Hook hook) {
        String name = c.ref().displayName();
        if (!c.running() || c.pid() <= 0) {
            throw new IllegalArgumentException("container " + name + " is not running");
        }
        for (Attachment a : attached) {
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
                ports.add(attachPort(Side.HOST, p.hostIndex(), p.hostName(), hook, null));
            }
            for (VethPair p : pairs) {
                ports.add(hook.isXdp() ? attachPort(Side.INNER, p.innerIndex(), p.innerName(), hook, netNsFile)
                        : attachPort(Side.INNER, p.hostIndex(), p.hostName(), hook, null));
            }
        } catch (RuntimeException e) {
            undo(ports);
            throw e;
        }
        Attachment a = new Attachment(c.ref(), "", c.pid(), netNs, hook, ports);
        attached.add(a);
        return a;
    }

    /**
     * Refuses a port on (side, ifindex) that an attached one already has: the programs know a
     * port by that pair only (see xdp.bpf.c).
     *
     * @param container the name of the container the new port is for, empty for an interface
     */
    private void refuseTaken(Side side, int ifindex, String ifname, String container) {
        for (Attachment a : attached) {
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
    private Port attachPort(Side side, int ifindex, String ifname, Hook hook, Path netNs) {
        BpfProgram program = obj.program(side.program(hook));
        kernel.register(side, ifindex);
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
            kernel.unregister(side, ifindex);
            boolean busy = e.getMessage().contains("another XDP program");
            throw new IllegalStateException("cannot attach to " + ifname + (netNs == null ? "" : " inside the container") + ": "
                    + (busy ? "another XDP program is attached there, and apiary never replaces one (--mode tc works beside it)"
                            : e.getMessage()));
        } catch (RuntimeException e) {
            kernel.unregister(side, ifindex);
            throw e;
        }
    }

    private void undo(List<Port> ports) {
        for (Port p : ports) {
            p.link().close();
            kernel.unregister(p.side(), p.ifindex());
        }
    }

    /**
     * Takes the programs off what {@code word} names.
     *
     * @throws IllegalArgumentException when nothing attached matches
     */
    synchronized Attachment detach(String word) {
        Attachment a = find(word).orElseThrow(() -> new IllegalArgumentException("nothing is attached for '" + word
                + "' (xdp:stats lists the attachments)"));
        release(a);
        return a;
    }

    /** Releases the attachments of containers that stopped, went away or restarted, and of interfaces gone; returns them. */
    synchronized List<Attachment> reapOnce() {
        List<Attachment> gone = new ArrayList<>();
        for (Attachment a : attached) {
            if (a.isContainer()) {
                Optional<Container> now = containers.find(a.container().id());
                if (now.isEmpty() || !now.get().running() || now.get().pid() != a.pid()) {
                    gone.add(a);
                }
            } else if (VethPair.hostIndex(a.interfaceName()).orElse(-1) != a.index(Side.HOST)) {
                gone.add(a);
            }
        }
        for (Attachment a : gone) {
            release(a);
        }
        return gone;
    }

    /** Releases every attachment: the tracker stops. */
    synchronized void releaseAll() {
        for (Attachment a : List.copyOf(attached)) {
            release(a);
        }
    }

    /** Its rules through {@code released}, then its links, counters and flows. */
    private void release(Attachment a) {
        attached.remove(a);
        released.accept(a);
        for (Port p : a.ports()) {
            p.link().close();
            kernel.unregister(p.side(), p.ifindex());
        }
    }

    // ---- queries (no lock) ---------------------------------------------------------------

    List<Attachment> list() {
        return List.copyOf(attached);
    }

    /** The first attachment a user's word names ({@link Attachment#matches}). */
    Optional<Attachment> find(String word) {
        return attached.stream().filter(a -> a.matches(word)).findFirst();
    }

    /** The attachment with an end on (side, ifindex). */
    Optional<Attachment> owner(Side side, int ifindex) {
        return attached.stream().filter(a -> a.ports().stream().anyMatch(p -> p.side() == side && p.ifindex() == ifindex))
                .findFirst();
    }
}
