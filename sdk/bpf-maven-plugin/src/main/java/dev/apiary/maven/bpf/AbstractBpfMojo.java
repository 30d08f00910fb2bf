package dev.apiary.maven.bpf;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/** What both goals share: the toolchain, the include folder and the compile loop. */
abstract class AbstractBpfMojo extends AbstractMojo {

    /** clang to use; by default the newest clang-NN on PATH, then plain clang. */
    @Parameter(property = "apiary.bpf.clang")
    String clang;

    /** llvm-strip to use; by default the one of clang's LLVM version. */
    @Parameter(property = "apiary.bpf.llvmStrip")
    String llvmStrip;

    /** bpftool to use; by default bpftool on PATH or in /usr/sbin. */
    @Parameter(property = "apiary.bpf.bpftool")
    String bpftool;

    /** The kernel BTF that vmlinux.h is generated from. */
    @Parameter(property = "apiary.bpf.kernelBtf", defaultValue = "/sys/kernel/btf/vmlinux")
    File kernelBtf;

    /** Where vmlinux.h and the shared apiary/ headers are written. */
    @Parameter(defaultValue = "${project.build.directory}/bpf-include")
    File includeDirectory;

    /** More folders to search for headers. */
    @Parameter
    List<File> includeDirectories = List.of();

    /** More clang flags, such as -D definitions. */
    @Parameter
    List<String> compilerFlags = List.of();

    @Parameter(property = "apiary.bpf.skip", defaultValue = "false")
    boolean skip;

    abstract File sourceDirectory();

    abstract File outputDirectory();

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Path sources = sourceDirectory().toPath();
        if (skip || !Files.isDirectory(sources)) {
            return;
        }
        try {
            BpfToolchain tools = BpfToolchain.discover(clang, llvmStrip, bpftool, kernelBtf.toPath());
            BpfCompiler compiler = new BpfCompiler(tools, includeDirectory.toPath(),
                    includeDirectories.stream().map(File::toPath).toList(), compilerFlags, getLog()::warn);
            compiler.prepareIncludes();
            List<Path> written = compiler.compileAll(sources, outputDirectory().toPath());
            if (!written.isEmpty()) {
                getLog().info("Compiled " + written.size() + " BPF object(s) into " + outputDirectory()
                        + " with " + tools.clang().getFileName());
            }
        } catch (ToolchainException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (BpfCompiler.BuildException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (IOException e) {
            throw new MojoExecutionException("BPF build failed: " + e, e);
        }
    }
}
