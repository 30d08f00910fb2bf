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
            BpfObject obj = BpfObject.open(in, "cgroups");
            try {
                obj.load();
                obj.attachAll();
                return obj;
            } catch (RuntimeException e) {
                obj.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
