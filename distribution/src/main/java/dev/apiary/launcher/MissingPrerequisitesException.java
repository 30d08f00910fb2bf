package dev.apiary.launcher;

import java.util.List;

/** The machine lacks what Apiary needs (root, BTF, bpf()); thrown before the framework starts. */
public final class MissingPrerequisitesException extends ApiaryException {
    private final List<String> missing;

    public MissingPrerequisitesException(List<String> missing) {
        super("Apiary cannot run here: " + String.join("; ", missing));
        this.missing = List.copyOf(missing);
    }

    /** One sentence per missing prerequisite. */
    public List<String> missing() {
        return missing;
    }
}
