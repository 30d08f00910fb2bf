package dev.apiary.core.container;

import dev.apiary.bpf.BpfObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Core's cgroups.bpf.o from target/classes, loaded and attached as core does it. */
final class CgroupsObject {

    private CgroupsObject() {
    }

    static BpfObject loadAndAttach() {
        try (InputStream in = CgroupsObject.class.getResourceAsStream("/" + CgroupLearner.OBJECT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CgroupLearner.OBJECT_RESOURCE + " was not built (core/src/main/bpf)");
            }
            return BpfObject.open(in, "cgroups").loadAndAttach();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
