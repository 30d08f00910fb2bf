/**
 * libbpf from Java: open, configure, load and attach BPF objects ({@link dev.apiary.bpf.BpfObject}),
 * use their maps ({@link dev.apiary.bpf.BpfMap}), read their ring buffers without copying
 * ({@link dev.apiary.bpf.RingBuffer}), and lay out their types from BTF ({@link dev.apiary.bpf.Btf}).
 *
 * <p>Needs Linux with BPF, BTF, and a process allowed to use them (root, or CAP_BPF with
 * CAP_PERFMON / CAP_NET_ADMIN as the program types require); the JVM must allow native
 * access to this code ({@code --enable-native-access}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.apiary.bpf;
