package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BpfLink;

/**
 * One program on one interface, owned by an {@link Attachment}.
 *
 * @param side    which direction it sees
 * @param ifindex the interface's index in its own network namespace
 * @param name    the interface's name there
 * @param link    the BPF link; closing it takes the program off the interface
 */
record Port(Side side, int ifindex, String name, BpfLink link) {
}
