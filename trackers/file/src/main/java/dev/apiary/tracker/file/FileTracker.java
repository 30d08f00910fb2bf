package dev.apiary.tracker.file;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The file tracker: loads file.bpf.o, decodes its records into {@link FileEvent}s, and reads
 * the bytes its programs add up per container and file ({@link #usage()}) for
 * {@code file:top}. Registered as a {@link Tracker} for core and under its own class for
 * {@link FileCommands}; configured by {@link Config} (PID {@link #PID}). Safe for concurrent use.
 */
@Component(service = {Tracker.class, FileTracker.class}, configurationPid = FileTracker.PID)
@Designate(ocd = FileTracker.Config.class)
public final class FileTracker implements Tracker {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(FileTracker.class);
    /** Its configuration PID, also conf/&lt;PID&gt;.cfg: the bundle's symbolic name. */
    public static final String PID = "dev.apiary.tracker.file";
    static final String OBJECT = "bpf/file.bpf.o";

    /**
     * The tracker's settings ({@code tracker:config file}); DS re-creates the component when
     * they change. The keys are dotted ({@code ring.kb}): DS and bnd's metatype turn a
     * method name's underscore into a dot.
     */
    @ObjectClassDefinition(id = FileTracker.PID, name = "file tracker",
            description = "File operations of containers with their paths; bytes read and written per container and file")
    public @interface Config {
        /*
         * An open record is some 140 bytes plus its path (about 160 in all, twice that when a
         * relative path is resolved). Through a storm of 100,000 opens at 100,000 a second the
         * most that waited was 150 KB; on a machine loaded by other builds a 1 MiB ring lost
         * half of such a storm. 8 MiB, some 50,000 records, covers half a second of a starved
         * reader at that rate.
         */
        @AttributeDefinition(description = RingSize.DESCRIPTION,
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 8192;

        @AttributeDefinition(description = "(container, file) entries whose bytes the kernel adds up for file:top; "
                + "when more files are touched, the least recently used entries go. 336 bytes of kernel memory each",
                min = "1024", max = "262144")
        int files() default 16384;

        @AttributeDefinition(description = "Give the opens that succeed with an absolute path a resolvedPath read "
                + "from the new file (symlinks and mounts resolved), as relative ones have; costs a walk of the "
                + "dentry tree per open. Off: an absolute path's resolvedPath is the path as passed")
        boolean resolve_absolute() default false;
    }

    private final Config config;

    /** What exists while the tracker runs. */
    record Running(BpfMap fileIo, Containers containers) implements FileCommands.Source {

        /** Every (container, file) entry's bytes, read from the kernel now. */
        @Override
        public List<FileUsage> usage() {
            return FileUsage.readAll(fileIo, containers::ofCgroup);
        }
    }

    private volatile Running running;

    @Activate
    public FileTracker(Config config) {
        this.config = config;
    }

    @Override
    public String description() {
        return "opens, creations, deletions, renames, chmod/chown (paths, flags, errors); bytes per file; file:top, file:events";
    }

    @Override
    public List<EventType> events() {
        return EventType.of(FileEvent.class,
                "open", "a file opened (openat, openat2, creat, open), with its flags and mode",
                "mknod", "a special file or FIFO made",
                "mkdir", "a directory made",
                "unlink", "a file removed",
                "rmdir", "a directory removed",
                "rename", "a file renamed or moved",
                "chmod", "a file's mode changed",
                "chown", "a file's owner changed");
    }

    @Override
    public void start(TrackerContext context) throws Exception {
        BpfObject obj = context.load(OBJECT, o -> {
            o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
            o.map("file_io").setMaxEntries(config.files());
            o.globals().set("resolve_absolute", config.resolve_absolute());
        }, new FileDecoder());
        running = new Running(obj.map("file_io"), context.containers());
    }

    @Override
    public void stop() {
        running = null;
    }

    /** The map and the containers while the tracker runs; empty when it is stopped. */
    Optional<Running> running() {
        return Optional.ofNullable(running);
    }
}
