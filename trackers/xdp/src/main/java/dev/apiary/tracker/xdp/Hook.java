package dev.apiary.tracker.xdp;

import dev.apiary.bpf.XdpMode;
import java.util.Locale;

/**
 * Where the tracker's programs see an attachment's packets: tc, the default, or XDP in one of
 * its modes. Why tc is the default on veth is in xdp.bpf.c: generic XDP copies every TCP
 * segment a container sends, native XDP on veth turns off the peer's GSO; a tcx program
 * reads the skb in place.
 */
enum Hook {
    /** tcx ingress and egress of the host end: both directions from the host's namespace. */
    TC(null),
    /** XDP in the generic stack: every interface has it, veth included; each packet is copied first. */
    GENERIC(XdpMode.GENERIC),
    /** XDP in the driver: for NICs whose driver has it (on veth it turns off the peer's GSO). */
    NATIVE(XdpMode.NATIVE),
    /** XDP native where the driver has it, else generic: the kernel picks. */
    AUTO(XdpMode.AUTO);

    /** The XDP mode, null for tc. */
    final XdpMode xdp;

    Hook(XdpMode xdp) {
        this.xdp = xdp;
    }

    boolean isXdp() {
        return xdp != null;
    }

    /** As users type it: tc, generic, native, auto. */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The hook a user's {@code --mode} word names. */
    static Hook parse(String word) {
        for (Hook h : values()) {
            if (h.word().equals(word.trim().toLowerCase(Locale.ROOT))) {
                return h;
            }
        }
        throw new IllegalArgumentException("--mode takes tc, generic, native or auto, not '" + word + "'");
    }
}
