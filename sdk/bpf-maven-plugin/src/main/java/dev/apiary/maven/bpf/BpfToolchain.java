package dev.apiary.maven.bpf;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tools a BPF build needs, found on this machine: clang with the BPF target, llvm-strip
 * of the same LLVM, bpftool, the running kernel's BTF and libbpf's BPF-side headers.
 *
 * <p>{@link #discover} fails with a {@link ToolchainException} whose message is one line
 * naming what is missing and what to install.
 */
record BpfToolchain(Path clang, Path llvmStrip, Path bpftool, Path kernelBtf, List<Path> systemIncludes) {

    /** Newest first: the first clang found wins, and llvm-strip is taken from the same version. */
    private static final List<String> CLANG_VERSIONS = List.of("21", "20", "19", "18", "17", "16", "15", "14");
    private static final List<Path> SBIN = List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/local/sbin"));

    static BpfToolchain discover(String clangOverride, String stripOverride, String bpftoolOverride, Path kernelBtf)
            throws ToolchainException {
        Path clang;
        String version = "";
        if (clangOverride != null && !clangOverride.isBlank()) {
            clang = onPath(clangOverride).orElseThrow(() -> new ToolchainException(
                    "clang '" + clangOverride + "' (from apiary.bpf.clang) not found"));
            String name = clang.getFileName().toString();
            version = name.contains("-") ? name.substring(name.lastIndexOf('-') + 1) : "";
        } else {
            clang = null;
            for (String v : CLANG_VERSIONS) {
                Optional<Path> found = onPath("clang-" + v);
                if (found.isPresent()) {
                    clang = found.get();
                    version = v;
                    break;
                }
            }
            if (clang == null) {
                clang = onPath("clang").orElseThrow(() -> new ToolchainException(
                        "clang not found: install clang and llvm (Debian/Ubuntu: apt-get install clang-19 llvm-19)"));
            }
        }

        Path strip;
        if (stripOverride != null && !stripOverride.isBlank()) {
            strip = onPath(stripOverride).orElseThrow(() -> new ToolchainException(
                    "llvm-strip '" + stripOverride + "' (from apiary.bpf.llvmStrip) not found"));
        } else {
            String wanted = version.isEmpty() ? "llvm-strip" : "llvm-strip-" + version;
            String hint = version.isEmpty() ? "llvm" : "llvm-" + version;
            strip = onPath(wanted).or(() -> onPath("llvm-strip")).orElseThrow(() -> new ToolchainException(
                    wanted + " not found: install LLVM's binutils (Debian/Ubuntu: apt-get install " + hint + ")"));
        }

        String bpftoolName = bpftoolOverride == null || bpftoolOverride.isBlank() ? "bpftool" : bpftoolOverride;
        Path bpftool = onPath(bpftoolName).orElseThrow(() -> new ToolchainException(
                "bpftool not found: install it (Debian/Ubuntu: apt-get install bpftool, or linux-tools for your kernel)"));

        if (!Files.isReadable(kernelBtf)) {
            throw new ToolchainException("kernel BTF not found at " + kernelBtf
                    + ": BPF CO-RE needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }

        List<Path> includes = new ArrayList<>();
        for (String dir : List.of("/usr/local/include", "/usr/include")) {
            if (Files.isRegularFile(Path.of(dir, "bpf", "bpf_helpers.h"))) {
                includes.add(Path.of(dir));
            }
        }
        if (includes.isEmpty()) {
            throw new ToolchainException(
                    "libbpf headers not found (bpf/bpf_helpers.h): install libbpf-dev (Debian/Ubuntu: apt-get install libbpf-dev)");
        }
        // <linux/...> UAPI headers include <asm/...>, which Debian keeps under the multiarch folder.
        Path multiarch = Path.of("/usr/include", multiarchTriplet());
        if (Files.isDirectory(multiarch)) {
            includes.add(multiarch);
        }
        return new BpfToolchain(clang, strip, bpftool, kernelBtf, List.copyOf(includes));
    }

    /** The value of __TARGET_ARCH_xxx that libbpf's bpf_tracing.h expects for this JVM's CPU. */
    static String targetArch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86";
            case "aarch64", "arm64" -> "arm64";
            case "riscv64" -> "riscv";
            case "s390x" -> "s390";
            case "ppc64le" -> "powerpc";
            case "loongarch64" -> "loongarch";
            default -> arch;
        };
    }

    private static String multiarchTriplet() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            default -> System.getProperty("os.arch") + "-linux-gnu";
        };
    }

    /** An absolute path that exists, or a name looked up on PATH and the sbin folders. */
    private static Optional<Path> onPath(String name) {
        Path direct = Path.of(name);
        if (direct.isAbsolute()) {
            return Files.isExecutable(direct) ? Optional.of(direct) : Optional.empty();
        }
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        dirs.addAll(SBIN);
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
