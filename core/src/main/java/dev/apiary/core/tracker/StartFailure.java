package dev.apiary.core.tracker;

import dev.apiary.bpf.BpfException;
import java.util.List;
import org.osgi.framework.Bundle;

/** Turns what a tracker's start threw into a message that tells its author what to fix. */
final class StartFailure {

    /** Lines of a verifier log kept in the message: the verifier's own error is at its end. */
    static final int VERIFIER_TAIL = 12;

    private StartFailure() {
    }

    static String describe(Throwable thrown, Bundle bundle) {
        // Down the causes to a BPF or linkage failure, else to the root one.
        Throwable t = thrown;
        while (t.getCause() != null && !(t instanceof BpfException) && !(t instanceof LinkageError)) {
            t = t.getCause();
        }
        if (t instanceof BpfException bpf) {
            String first = bpf.getMessage().lines().findFirst().orElse("");
            return bpf.verifierLog().map(log -> {
                List<String> lines = log.lines().toList();
                List<String> tail = lines.subList(Math.max(0, lines.size() - VERIFIER_TAIL), lines.size());
                return first + "\nthe verifier's last words (" + lines.size() + " lines in all):\n  "
                        + String.join("\n  ", tail);
            }).orElse(first);
        }
        if (t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException) {
            return "class " + t.getMessage() + " is not visible to bundle " + bundle.getSymbolicName()
                    + ": import its package (apiary-tracker-parent's bnd does it for what the code uses) or embed it";
        }
        if (t instanceof LinkageError) {
            return t + ": the bundle was built against another version of a class it uses (check its Import-Package)";
        }
        String message = t.getMessage() == null ? "" : ": " + t.getMessage();
        return "start() threw " + t.getClass().getName() + message + where(t);
    }

    /** The first frame outside Apiary and the JDK: the tracker's own code, so its author knows which line. */
    private static String where(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            String cls = frame.getClassName();
            if (cls.startsWith("dev.apiary.core.") || cls.startsWith("java.") || cls.startsWith("jdk.")
                    || cls.startsWith("org.osgi.") || cls.startsWith("org.apache.felix.")
                    || cls.startsWith("dev.apiary.bpf.") || cls.startsWith("dev.apiary.sdk.")) {
                continue;
            }
            return " (at " + frame + ")";
        }
        return "";
    }
}
