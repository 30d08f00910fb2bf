package dev.apiary.tracker.xdp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One network interface of a container and, when it is one end of a veth pair, the other
 * end on the host.
 *
 * <p>Found through sysfs: the container's own sysfs (Docker mounts one in every container
 * with a network namespace of its own), read from the host as
 * {@code /proc/PID/root/sys/class/net}, lists its interfaces with their {@code ifindex} and
 * {@code iflink} (the peer's index); the host end is the host interface whose
 * {@code ifindex} is the container end's {@code iflink} and whose {@code iflink} is the
 * container end's {@code ifindex}, a pairing two unrelated interfaces practically never
 * share.
 *
 * @param innerName  the interface's name inside the container ("eth0")
 * @param innerIndex its index in the container's network namespace
 * @param hostName   the host end's name ("veth1a2b3c4"), or "" when none was found
 * @param hostIndex  the host end's index in the host's namespace, or 0
 */
record VethPair(String innerName, int innerIndex, String hostName, int hostIndex) {

    static final Path HOST_SYSFS = Path.of("/sys/class/net");

    boolean hasHostEnd() {
        return hostIndex > 0;
    }

    /**
     * The interfaces of the container whose init process is {@code pid}, loopback left out.
     *
     * @throws IOException when its sysfs cannot be read (the process is gone, or the
     *                     container has no sysfs of its own)
     */
    static List<VethPair> ofContainer(int pid) throws IOException {
        return of(Path.of("/proc", Integer.toString(pid), "root/sys/class/net"), HOST_SYSFS);
    }

    /** The pairs between an inner sysfs net folder and the host's; both given for tests. */
    static List<VethPair> of(Path innerNet, Path hostNet) throws IOException {
        List<VethPair> pairs = new ArrayList<>();
        List<Path> hostIfaces;
        try (Stream<Path> s = Files.list(hostNet)) {
            hostIfaces = s.toList();
        }
        try (Stream<Path> s = Files.list(innerNet)) {
            for (Path inner : s.sorted().toList()) {
                String name = inner.getFileName().toString();
                if (name.equals("lo")) {
                    continue;
                }
                int index = readInt(inner.resolve("ifindex"));
                int iflink = readInt(inner.resolve("iflink"));
                String hostName = "";
                int hostIndex = 0;
                if (iflink != index) { // a veth end points at its peer; a plain device at itself
                    for (Path host : hostIfaces) {
                        try {
                            if (readInt(host.resolve("ifindex")) == iflink && readInt(host.resolve("iflink")) == index) {
                                hostName = host.getFileName().toString();
                                hostIndex = iflink;
                                break;
                            }
                        } catch (IOException | NumberFormatException gone) {
                            // an interface that went away meanwhile is not the peer
                        }
                    }
                }
                pairs.add(new VethPair(name, index, hostName, hostIndex));
            }
        }
        return pairs;
    }

    /** The index of a host interface by name; empty when there is none. */
    static java.util.OptionalInt hostIndex(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            return java.util.OptionalInt.empty();
        }
        try {
            return java.util.OptionalInt.of(readInt(HOST_SYSFS.resolve(name).resolve("ifindex")));
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }

    private static int readInt(Path file) throws IOException {
        return Integer.parseInt(Files.readString(file).trim());
    }
}
