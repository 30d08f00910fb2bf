package dev.apiary.bpf.testing;

import dev.apiary.bpf.BpfException;
import dev.apiary.bpf.KernelBpfObjects;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks tests that load real BPF programs. Where the process cannot use BPF (not root, no
 * BTF, no tracefs) they are skipped with the reason, except in CI ({@code CI=true}), where
 * the same reason fails them: CI must run them. Trackers get it from the apiary-bpf test-jar.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresBpf.Check.class)
public @interface RequiresBpf {

    public final class Check implements ExecutionCondition, BeforeAllCallback {

        private static final String MISSING = missing();

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (MISSING == null || inCi()) {
                return ConditionEvaluationResult.enabled("BPF available");
            }
            return ConditionEvaluationResult.disabled("needs BPF: " + MISSING + " (run as root; CI runs these)");
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            if (MISSING != null) {
                throw new AssertionError("CI=true and BPF is unusable: " + MISSING);
            }
        }

        private static boolean inCi() {
            return "true".equalsIgnoreCase(System.getenv("CI"));
        }

        private static String missing() {
            if (!Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))) {
                return "no kernel BTF at /sys/kernel/btf/vmlinux";
            }
            if (!Files.isDirectory(Path.of("/sys/kernel/tracing/events"))) {
                return "tracefs is not mounted at /sys/kernel/tracing";
            }
            try {
                KernelBpfObjects.programIds();
            } catch (BpfException | LinkageError e) {
                return "cannot list BPF programs: " + e.getMessage();
            }
            return null;
        }
    }
}
