package dev.apiary.bpf;

import static dev.apiary.bpf.Commands.run;
import static dev.apiary.bpf.Commands.sh;

/**
 * A veth pair for the network tests: the host end in the host's namespace, the peer in a
 * network namespace of its own, addressed as a /30. Closing deletes both.
 */
record TestVeth(String namespace, String hostIf, String peerIf, String hostAddr, String peerAddr) implements AutoCloseable {

    /**
     * Makes the pair, after removing one of the same names that a killed run left.
     *
     * @param tag    one letter that keeps the names of two tests apart
     * @param subnet the third byte of the pair's addresses, 10.253.SUBNET.1 and .2
     */
    static TestVeth create(String tag, int subnet) throws Exception {
        String id = Long.toString(TestObjects.SELF % 100000);
        TestVeth v = new TestVeth("apiary-" + tag + "-" + TestObjects.SELF, "ap" + tag + "h" + id, "ap" + tag + "p" + id,
                "10.253." + subnet + ".1", "10.253." + subnet + ".2");
        v.close();
        sh("ip", "netns", "add", v.namespace);
        sh("ip", "link", "add", v.hostIf, "type", "veth", "peer", "name", v.peerIf);
        sh("ip", "link", "set", v.peerIf, "netns", v.namespace);
        sh("ip", "addr", "add", v.hostAddr + "/30", "dev", v.hostIf);
        sh("ip", "link", "set", v.hostIf, "up");
        sh("ip", "-n", v.namespace, "addr", "add", v.peerAddr + "/30", "dev", v.peerIf);
        sh("ip", "-n", v.namespace, "link", "set", v.peerIf, "up");
        sh("ip", "-n", v.namespace, "link", "set", "lo", "up");
        return v;
    }

    /** Pings the host end from the namespace, {@code count} echoes 0.2 s apart; they must be answered. */
    void pingHostFromPeer(int count) throws Exception {
        sh("ip", "netns", "exec", namespace, "ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", hostAddr);
    }

    @Override
    public void close() throws Exception {
        run("ip", "link", "del", hostIf);
        run("ip", "netns", "del", namespace);
    }
}
