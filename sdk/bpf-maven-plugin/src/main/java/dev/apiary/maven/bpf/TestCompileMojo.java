package dev.apiary.maven.bpf;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Compiles {@code src/test/bpf/*.bpf.c} (BPF objects only tests use) into {@code target/test-classes/bpf/}. */
@Mojo(name = "test-compile", defaultPhase = LifecyclePhase.TEST_COMPILE, threadSafe = true)
public class TestCompileMojo extends AbstractBpfMojo {

    @Parameter(defaultValue = "${project.basedir}/src/test/bpf")
    File sourceDirectory;

    @Parameter(defaultValue = "${project.build.testOutputDirectory}/bpf")
    File outputDirectory;

    @Parameter(property = "maven.test.skip", defaultValue = "false")
    boolean testSkip;

    @Override
    File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    File outputDirectory() {
        return outputDirectory;
    }

    @Override
    public void execute() throws org.apache.maven.plugin.MojoExecutionException, org.apache.maven.plugin.MojoFailureException {
        if (!testSkip) {
            super.execute();
        }
    }
}
