package dev.apiary.tracker.xdp;

import dev.apiary.sdk.Containers;
import java.util.List;

/**
 * What the xdp commands use of {@link XdpTracker}: the tracker itself in the shell
 * ({@link #of}), a fake in a test (no BPF). Safe for concurrent use, as the tracker is. While
 * the tracker is not running, everything but {@link #isRunning} and {@link #hostInterface}
 * may throw {@link IllegalStateException}; the tracker's refusals come through as it throws
 * them, with names a container chose unescaped.
 */
interface XdpBackend {

    boolean isRunning();

    /** The containers core knows; only while the tracker runs. */
    Containers containers();

    List<Attachment> attachments();

    /** @param word a container's full id, or a host interface's name */
    Attachment attach(String word, Hook hook);

    Attachment detach(Attachment a);

    /** An attachment end's counters, null when it has none. */
    XdpKernel.Counts counts(Side side, int ifindex);

    List<XdpKernel.Flow> flows();

    List<RuleEntry> rules();

    long hits(int slot);

    RuleEntry addRule(Attachment a, Rule rule);

    boolean removeRule(Attachment a, Rule rule);

    Capture startCapture(Attachment a, Rule filter);

    /** Whether the host has a network interface of this name. */
    boolean hostInterface(String name);

    static XdpBackend of(XdpTracker t) {
        return new XdpBackend() {
            @Override
            public boolean isRunning() {
                return t.isRunning();
            }

            @Override
            public Containers containers() {
                return t.containers();
            }

            @Override
            public List<Attachment> attachments() {
                return t.attachments();
            }

            @Override
            public Attachment attach(String word, Hook hook) {
                return t.attach(word, hook);
            }

            @Override
            public Attachment detach(Attachment a) {
                // A full id or an interface's name: the word finds exactly this attachment.
                return t.detach(a.isContainer() ? a.container().id() : a.interfaceName());
            }

            @Override
            public XdpKernel.Counts counts(Side side, int ifindex) {
                return t.kernel().counts(side, ifindex);
            }

            @Override
            public List<XdpKernel.Flow> flows() {
                return t.kernel().flows();
            }

            @Override
            public List<RuleEntry> rules() {
                return t.rules();
            }

            @Override
            public long hits(int slot) {
                return t.kernel().hits(slot);
            }

            @Override
            public RuleEntry addRule(Attachment a, Rule rule) {
                return t.addRule(a, rule);
            }

            @Override
            public boolean removeRule(Attachment a, Rule rule) {
                return t.removeRule(a, rule);
            }

            @Override
            public Capture startCapture(Attachment a, Rule filter) {
                return t.startCapture(a, filter);
            }

            @Override
            public boolean hostInterface(String name) {
                return VethPair.hostIndex(name).isPresent();
            }
        };
    }
}
