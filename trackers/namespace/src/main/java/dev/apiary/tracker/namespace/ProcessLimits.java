package dev.apiary.tracker.namespace;

import dev.apiary.sdk.ContainerLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * {@link ContainerLimits} from the cgroup files, as {@code ns:show} reads them ({@link CgroupLimits}):
 * cgroup v1 and v2 alike. Reads the mounts afresh on each call (a mount may come or go); needs
 * no BPF, so it serves while the tracker is stopped too.
 */
@Component(service = ContainerLimits.class)
public final class ProcessLimits implements ContainerLimits {

    private final Path proc;

    public ProcessLimits() {
        this(Path.of("/proc"));
    }

    ProcessLimits(Path proc) {
        this.proc = proc;
    }

    @Override
    public Map<String, String> ofProcess(int pid) {
        try {
            CgroupFs fs = CgroupFs.read(proc);
            Map<String, String> out = new LinkedHashMap<>();
            for (CgroupLimits.Reading r : new CgroupLimits(fs).read(fs.of(pid))) {
                out.put(r.resource().name().toLowerCase(Locale.ROOT), r.limit());
            }
            return Collections.unmodifiableMap(out);
        } catch (IOException | RuntimeException e) {
            return Map.of(); // the process is gone
        }
    }
}
