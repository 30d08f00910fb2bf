package dev.apiary.tracker.xdp;

import static dev.apiary.tracker.xdp.PacketTrackerBpfTest.linkIds;
import static dev.apiary.tracker.xdp.PacketTrackerBpfTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.KernelBpfObjects;
import dev.apiary.bpf.XdpMode;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link Attachments} on the object loaded for real, without Docker: the "container" is a
 * process in a network namespace of its own ({@code ip netns exec}, which also mounts that
 * namespace's sysfs, as Docker does) with a veth pair to the host. What is attached where,
 * what is refused, and that each way of releasing closes the links, drops the counters and
 * tells the rule table.
 */
@RequiresBpf
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttachmentsBpfTest {

    private final String tag = UUID.randomUUID().toString().substring(0, 6);
    private final String netns = "apiary-att-" + tag;
    private final String hostEnd = "axh" + tag;
    private final String other = "axo" + tag;
    private final ContainerRef pod = TestContainers.docker("a77ac0" + tag, "pod-" + tag, "busybox");

    private BpfObject obj;
    private XdpKernel kernel;
    private Process sleeper;
    private Container running;
    private final TestContainers containers = TestContainers.of();
    private final List<Attachment> released = new CopyOnWriteArrayList<>();
    private Attachments attachments;

    @BeforeAll
    void load() throws Exception {
        obj = BpfObject.open(PacketTrackerBpfTest.OBJECT);
        new XdpTracker(TestConfig.defaults(XdpTracker.Config.class)).configure(obj);
        obj.load();
        kernel = new XdpKernel(obj);
        ok("ip", "netns", "add", netns);
        ok("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", netns);
        ok("ip", "link", "set", hostEnd, "up");
        ok("ip", "-n", netns, "link", "set", "eth0", "up");
        sleeper = inNetns(netns);
        running = new Container(pod, (int) sleeper.pid(), 0, "", 0, 0, 0, true, null);
        containers.add(running);
        attachments = new Attachments(obj, kernel, containers, released::add);
    }

    @AfterEach
    void releaseAll() {
        attachments.releaseAll();
        released.clear();
        containers.clear().add(running);
    }

    @AfterAll
    void close() throws Exception {
        try {
            if (sleeper != null) {
                sleeper.destroyForcibly().waitFor();
            }
            if (obj != null) {
                obj.close();
            }
        } finally {
            run("ip", "link", "del", hostEnd);
            run("ip", "link", "del", other);
            run("ip", "netns", "del", netns);
        }
    }

    @Test
    void withTcBothProgramsGoOnTheContainersHostEnd() throws Exception {
        int index = VethPair.hostIndex(hostEnd).getAsInt();
        Attachment a = attachments.attach(pod.name(), Hook.TC);
        List<Integer> aLinks = linkIds(a);
        assertEquals(List.of(Side.HOST, Side.INNER), a.ports().stream().map(Port::side).toList());
        assertTrue(a.ports().stream().allMatch(p -> p.ifindex() == index && p.name().equals(hostEnd)), a.toString());
        assertEquals(pod, a.container());
        assertEquals(sleeper.pid(), a.pid());
        assertEquals(NetNamespace.inode(Path.of("/proc", Long.toString(sleeper.pid()), "ns", "net")), a.netNs());
        assertEquals(obj.program("tc_host").id(), KernelBpfObjects.programsOfLinks().get(a.ports().get(0).link().id()));
        assertEquals(obj.program("tc_inner").id(), KernelBpfObjects.programsOfLinks().get(a.ports().get(1).link().id()));
        assertTrue(kernel.registered(Side.HOST, index) && kernel.registered(Side.INNER, index));
        assertEquals(Optional.of(a), attachments.owner(Side.INNER, index));
        assertEquals(Optional.of(a), attachments.find(pod.id().substring(0, 12)));

        assertEquals("container " + pod.name() + " is already attached (xdp:detach " + pod.name() + " first)",
                refused(IllegalArgumentException.class, () -> attachments.attach(pod.id(), Hook.GENERIC)));
        assertEquals("interface " + hostEnd + " is already attached as the host end of container " + pod.name()
                + " (xdp:detach " + pod.name() + " first)", refused(IllegalArgumentException.class,
                () -> attachments.attach(hostEnd, Hook.TC)));

        assertEquals(a, attachments.detach(pod.name()));
        assertReleased(a, aLinks);
        assertEquals("nothing is attached for '" + pod.name() + "' (xdp:stats lists the attachments)",
                refused(IllegalArgumentException.class, () -> attachments.detach(pod.name())));
    }

    @Test
    void withXdpTheContainersOwnEndIsAttachedInsideItsNamespace() throws Exception {
        Attachment a = attachments.attach(pod.name(), Hook.GENERIC);
        List<Integer> aLinks = linkIds(a);
        Port inner = a.ports().get(1);
        assertEquals(Side.INNER, inner.side());
        assertEquals("eth0", inner.name());
        assertEquals(ifindexIn(netns, "eth0"), inner.ifindex(), "its index in the container's namespace");
        assertEquals(VethPair.hostIndex(hostEnd).getAsInt(), a.index(Side.HOST));
        assertTrue(ok("ip", "-n", netns, "-d", "link", "show", "eth0").contains("prog/xdp id " + obj.program("xdp_inner").id()),
                "the generic program without frags on the container's eth0");
        assertTrue(ok("ip", "-d", "link", "show", hostEnd).contains("prog/xdp id " + obj.program("xdp_host").id()));

        attachments.detach(pod.id());
        assertReleased(a, aLinks);
        assertFalse(ok("ip", "-n", netns, "-d", "link", "show", "eth0").contains("prog/xdp"), "gone from inside too");
    }

    @Test
    void theReaperReleasesAContainerThatRestartedOrStoppedAndAnInterfaceGone() throws Exception {
        Attachment a = attachments.attach(pod.name(), Hook.TC);
        List<Integer> aLinks = linkIds(a);
        Attachment i = attachments.attach(other(), Hook.TC);
        List<Integer> iLinks = linkIds(i);
        assertEquals(List.of(), attachments.reapOnce(), "all still there");

        containers.replace(new Container(pod, running.pid() + 1, 0, "", 0, 0, 0, true, null)); // a new init: restarted
        assertEquals(List.of(a), attachments.reapOnce());
        assertReleased(a, aLinks);

        ok("ip", "link", "del", other);
        assertEquals(List.of(i), attachments.reapOnce());
        assertReleased(i, iLinks);
        assertEquals(List.of(a, i), released);

        containers.replace(running);
        Attachment again = attachments.attach(pod.name(), Hook.TC);
        List<Integer> againLinks = linkIds(again);
        containers.replace(new Container(pod, running.pid(), 0, "", 0, 0, 0, false, null)); // stopped, its pid kept
        assertEquals(List.of(again), attachments.reapOnce());
        assertReleased(again, againLinks);
    }

    @Test
    void refusalsLeaveNothingAttached() throws Exception {
        assertEquals("no container or host network interface named 'no-such-" + tag + "' (apiary:containers lists"
                + " containers, ip link the interfaces)", refused(IllegalArgumentException.class,
                () -> attachments.attach("no-such-" + tag, Hook.TC)));

        ContainerRef hostNet = TestContainers.docker("b0b0" + tag, "hostnet-" + tag, "busybox");
        containers.add(new Container(hostNet, (int) ProcessHandle.current().pid(), 0, "", 0, 0, 0, true, null));
        assertTrue(refused(IllegalArgumentException.class, () -> attachments.attach(hostNet.name(), Hook.TC))
                .contains("uses the host's network"));

        ContainerRef stopped = TestContainers.docker("c0c0" + tag, "stopped-" + tag, "busybox");
        containers.add(new Container(stopped, 0, 0, "", 0, 0, 0, false, null));
        assertEquals("container stopped-" + tag + " is not running",
                refused(IllegalArgumentException.class, () -> attachments.attach(stopped.id(), Hook.TC)));

        // Someone else's XDP program on the container's own end: the host end, attached first, is undone.
        Path nsFile = Path.of("/proc", Long.toString(sleeper.pid()), "ns", "net");
        int eth0 = ifindexIn(netns, "eth0");
        try (BpfLink theirs = NetNamespace.call(nsFile, () -> obj.program("xdp_inner").attachXdp(eth0, XdpMode.GENERIC))) {
            String why = refused(IllegalStateException.class, () -> attachments.attach(pod.name(), Hook.GENERIC));
            assertTrue(why.startsWith("cannot attach to eth0 inside the container: another XDP program is attached there"), why);
            assertTrue(theirs.isOpen(), "never replaced");
        }
        assertFalse(ok("ip", "-d", "link", "show", hostEnd).contains("prog/xdp"), "the host end's program undone");
        assertFalse(kernel.registered(Side.HOST, VethPair.hostIndex(hostEnd).getAsInt()), "and its counters");
        assertEquals(List.of(), attachments.list());
        assertEquals(List.of(), released, "nothing was attached, nothing released");
    }

    @Test
    void releaseAllReleasesEveryAttachment() throws Exception {
        Attachment a = attachments.attach(pod.name(), Hook.GENERIC);
        List<Integer> aLinks = linkIds(a);
        Attachment i = attachments.attach(other(), Hook.TC);
        List<Integer> iLinks = linkIds(i);
        attachments.releaseAll();
        assertEquals(List.of(a, i), released);
        assertReleased(a, aLinks);
        assertReleased(i, iLinks);
    }

    // ---- helpers -------------------------------------------------------------------------

    /** Not listed, the rule table told, links closed and gone from the kernel ({@code links}: their ids), counters gone. */
    private void assertReleased(Attachment a, List<Integer> links) {
        assertTrue(released.contains(a), "released: " + released);
        assertFalse(attachments.list().contains(a));
        for (Port p : a.ports()) {
            assertFalse(p.link().isOpen(), p + " closed");
            assertFalse(kernel.registered(p.side(), p.ifindex()), p + " counters");
        }
        assertTrue(Collections.disjoint(links, KernelBpfObjects.linkIds()), "links gone from the kernel");
    }

    /** A host veth end of its own (made once): for what an attached interface must not disturb. */
    private String other() throws Exception {
        if (VethPair.hostIndex(other).isEmpty()) {
            ok("ip", "link", "add", other, "type", "veth", "peer", "name", other + "p");
        }
        return other;
    }

    private static <T extends RuntimeException> String refused(Class<T> type, Runnable call) {
        return assertThrows(type, call::run).getMessage();
    }

    /** A process inside {@code netns} (with its sysfs mounted), once it runs there. */
    private static Process inNetns(String netns) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "sleep", "600").start();
        Path comm = Path.of("/proc", Long.toString(p.pid()), "comm");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        // ip execs sleep once it has entered the namespace and mounted its sysfs.
        while (!Files.readString(comm).trim().equals("sleep")) {
            assertTrue(System.nanoTime() < deadline, "ip netns exec did not start sleep");
            Thread.sleep(10);
        }
        return p;
    }

    private static int ifindexIn(String netns, String name) throws Exception {
        return Integer.parseInt(ok("ip", "netns", "exec", netns, "cat", "/sys/class/net/" + name + "/ifindex").trim());
    }

    private static String ok(String... command) throws Exception {
        PacketTrackerBpfTest.Result r = run(command);
        assertEquals(0, r.exit(), String.join(" ", command) + ": " + r);
        return r.out();
    }
}
