package dev.apiary.tracker.file;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The file tracker: loads file.bpf.o, decodes its records into {@link FileEvent}s, and reads
 * the bytes its programs add up per container and file ({@link #usage()}) for
 * {@code file:top}. Registered as a {@link Tracker} for core and under its own class for
 * {@link FileCommands}. Safe for concurrent use.
 */
@Component(service = {Tracker.class, FileTracker.class})
public final class FileTracker implements Tracker {

    public static final String NAME = "file";
    static final String OBJECT = "bpf/file.bpf.o";

    /**
     * Ring size. An open record is some 140 bytes plus its path (about 160 in all, twice that
     * when a relative path is resolved): 32 MiB hold some 200,000 of them, an open storm of
     * a whole second at this machine's rate while the reader is starved of CPU by the storm.
     */
    static final int RING_BYTES = 32 << 20;

    /** What exists while the tracker runs. */
    record Running(BpfMap fileIo, Containers containers) implements FileCommands.Source {

        /** Every (container, file) entry's bytes, read from the kernel now. */
        @Override
        public List<FileUsage> usage() {
            return FileUsage.readAll(fileIo, containers::ofCgroup);
        }
    }

    private volatile Running running;

    @Override
    public String name() {
        return NAME;
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
        FileDecoder decoder = new FileDecoder();
        BpfObject obj = context.load(OBJECT, o -> {
            decoder.verify(o.btf());
            o.map("apiary_events").setMaxEntries(RING_BYTES);
        }, decoder);
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
