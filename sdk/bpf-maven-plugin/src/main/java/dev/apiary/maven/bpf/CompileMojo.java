package dev.apiary.maven.bpf;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Compiles {@code src/main/bpf/*.bpf.c} into {@code target/classes/bpf/*.bpf.o}. */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.COMPILE, threadSafe = true)
public class CompileMojo extends AbstractBpfMojo {

    @Parameter(defaultValue = "${project.basedir}/src/main/bpf")
    File sourceDirectory;

    @Parameter(defaultValue = "${project.build.outputDirectory}/bpf")
    File outputDirectory;

    @Override
    File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    File outputDirectory() {
        return outputDirectory;
    }
}
