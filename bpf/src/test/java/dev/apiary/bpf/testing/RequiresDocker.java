package dev.apiary.bpf.testing;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks tests that run real containers: they need a Docker daemon that answers and the local
 * image {@code busybox:local} (scripts/docker-up makes both). Outside CI they are skipped
 * with the reason; in CI ({@code CI=true}) the same reason fails them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresDocker.Check.class)
public @interface RequiresDocker {

    /** The local image the tests run (scripts/docker-up builds it from the machine's static busybox). */
    String IMAGE = "busybox:local";

    public final class Check implements ExecutionCondition, BeforeAllCallback {

        private static final String MISSING = missing();

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (MISSING == null || "true".equalsIgnoreCase(System.getenv("CI"))) {
                return ConditionEvaluationResult.enabled("Docker available");
            }
            return ConditionEvaluationResult.disabled("needs Docker: " + MISSING + " (scripts/docker-up; CI runs these)");
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            if (MISSING != null) {
                throw new AssertionError("CI=true and Docker is unusable: " + MISSING);
            }
        }

        private static String missing() {
            if (run("docker", "info") != 0) {
                return "no Docker daemon answers (docker info failed)";
            }
            if (run("docker", "image", "inspect", IMAGE) != 0) {
                return "no image " + IMAGE;
            }
            return null;
        }

        private static int run(String... command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return -1;
                }
                return p.exitValue();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }
}
