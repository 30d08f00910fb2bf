package dev.apiary.maven.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Compiles {@code <name>.bpf.c} files into stripped CO-RE objects {@code <name>.bpf.o}.
 *
 * <p>The include folder it prepares holds {@code vmlinux.h} (dumped by bpftool from the
 * running kernel's BTF) and Apiary's shared headers under {@code apiary/}. Objects are built
 * with {@code -g} so BTF is emitted, then {@code llvm-strip -g} drops the DWARF and keeps
 * .BTF and .BTF.ext, which CO-RE relocation and {@code Btf} layouts need.
 */
final class BpfCompiler {

    static final String HEADER_RESOURCE_ROOT = "dev/apiary/maven/bpf/include/";
    /** Every header shipped in the plugin; kept in step with bpf/src/main/c/include/apiary. */
    static final List<String> SHARED_HEADERS = List.of(
            "apiary/event.h", "apiary/ringbuf.h", "apiary/strings.h", "apiary/watch.h", "apiary/apiary.h");

    private final BpfToolchain tools;
    private final Path includeDir;
    private final List<Path> extraIncludes;
    private final List<String> extraFlags;
    private final Consumer<String> warn;

    BpfCompiler(BpfToolchain tools, Path includeDir, List<Path> extraIncludes, List<String> extraFlags,
            Consumer<String> warn) {
        this.tools = tools;
        this.includeDir = includeDir;
        this.extraIncludes = List.copyOf(extraIncludes);
        this.extraFlags = List.copyOf(extraFlags);
        this.warn = warn;
    }

    /** Writes vmlinux.h and the shared headers into the include folder, when missing or stale. */
    void prepareIncludes() throws IOException, BuildException {
        Path apiary = includeDir.resolve("apiary");
        Files.createDirectories(apiary);
        for (String header : SHARED_HEADERS) {
            try (InputStream in = BpfCompiler.class.getClassLoader().getResourceAsStream(HEADER_RESOURCE_ROOT + header)) {
                if (in == null) {
                    throw new BuildException("the plugin jar lacks " + header + ": rebuild apiary-bpf-maven-plugin");
                }
                Path target = includeDir.resolve(header);
                byte[] content = in.readAllBytes();
                if (!Files.exists(target) || !java.util.Arrays.equals(Files.readAllBytes(target), content)) {
                    Files.write(target, content);
                }
            }
        }
        Path vmlinux = includeDir.resolve("vmlinux.h");
        if (!Files.exists(vmlinux) || Files.getLastModifiedTime(vmlinux).compareTo(Files.getLastModifiedTime(tools.kernelBtf())) < 0) {
            Path tmp = includeDir.resolve("vmlinux.h.tmp");
            run(List.of(tools.bpftool().toString(), "btf", "dump", "file", tools.kernelBtf().toString(), "format", "c"),
                    tmp, "bpftool could not dump " + tools.kernelBtf());
            Files.move(tmp, vmlinux, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Compiles every {@code *.bpf.c} directly in {@code sourceDir} into {@code outputDir}.
     * An object newer than its source and every header is left alone.
     *
     * @return the objects written (not those found up to date)
     */
    List<Path> compileAll(Path sourceDir, Path outputDir) throws IOException, BuildException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(sourceDir)) {
            sources = files.filter(p -> p.getFileName().toString().endsWith(".bpf.c")).sorted().toList();
        }
        if (sources.isEmpty()) {
            return List.of();
        }
        Files.createDirectories(outputDir);
        FileTime newestHeader = newestHeader(sourceDir);
        List<Path> written = new ArrayList<>();
        for (Path source : sources) {
            String name = source.getFileName().toString();
            Path object = outputDir.resolve(name.substring(0, name.length() - ".c".length()) + ".o");
            if (Files.exists(object)) {
                FileTime built = Files.getLastModifiedTime(object);
                if (built.compareTo(Files.getLastModifiedTime(source)) > 0 && built.compareTo(newestHeader) > 0) {
                    continue;
                }
            }
            compile(source, sourceDir, object);
            written.add(object);
        }
        return written;
    }

    private void compile(Path source, Path sourceDir, Path object) throws IOException, BuildException {
        List<String> cmd = new ArrayList<>(List.of(tools.clang().toString(),
                "-g", "-O2", "-Wall", "-Wno-unused-function",
                "-target", "bpf", "-D__TARGET_ARCH_" + BpfToolchain.targetArch(),
                "-I" + sourceDir, "-I" + includeDir));
        for (Path p : extraIncludes) {
            cmd.add("-I" + p);
        }
        for (Path p : tools.systemIncludes()) {
            cmd.add("-idirafter");
            cmd.add(p.toString());
        }
        cmd.addAll(extraFlags);
        Path unstripped = object.resolveSibling(object.getFileName() + ".debug");
        cmd.addAll(List.of("-c", source.toString(), "-o", unstripped.toString()));
        run(cmd, null, "clang failed to compile " + source.getFileName());
        run(List.of(tools.llvmStrip().toString(), "-g", unstripped.toString(), "-o", object.toString()),
                null, "llvm-strip failed on " + unstripped.getFileName());
        Files.delete(unstripped);
    }

    private FileTime newestHeader(Path sourceDir) throws IOException {
        FileTime newest = FileTime.fromMillis(0);
        List<Path> dirs = new ArrayList<>(List.of(sourceDir, includeDir));
        dirs.addAll(extraIncludes);
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path h : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".h"))::iterator) {
                    FileTime t = Files.getLastModifiedTime(h);
                    if (t.compareTo(newest) > 0) {
                        newest = t;
                    }
                }
            }
        }
        return newest;
    }

    /** Runs a tool; its diagnostics go to the build log, and a non-zero exit fails the build. */
    private void run(List<String> cmd, Path stdout, String failure) throws IOException, BuildException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path errors = Files.createTempFile("apiary-bpf", ".log");
        try {
            pb.redirectError(errors.toFile());
            if (stdout != null) {
                pb.redirectOutput(stdout.toFile());
            } else {
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            int exit;
            try {
                exit = pb.start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildException(failure + ": interrupted");
            }
            String diagnostics = Files.readString(errors, StandardCharsets.UTF_8).strip();
            if (exit != 0) {
                throw new BuildException(failure + " (exit " + exit + ")\n" + String.join(" ", cmd) + "\n" + diagnostics);
            }
            if (!diagnostics.isEmpty()) {
                warn.accept(diagnostics);
            }
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** A tool ran and failed; the message carries its diagnostics. */
    static final class BuildException extends Exception {
        BuildException(String message) {
            super(message);
        }
    }
}
