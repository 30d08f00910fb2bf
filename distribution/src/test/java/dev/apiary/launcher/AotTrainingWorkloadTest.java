package dev.apiary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workload the AOT training traces: what it says it did, and nothing left behind. */
class AotTrainingWorkloadTest {

    @TempDir
    Path dir;

    @Test
    void oneRoundOpensConnectsAndExecsAndRemovesItsFile() throws Exception {
        AotTrainingWorkload.Counts done = AotTrainingWorkload.run(dir, 1);
        assertEquals(new AotTrainingWorkload.Counts(AotTrainingWorkload.OPENS, AotTrainingWorkload.TCP_CYCLES,
                AotTrainingWorkload.EXECS), done);
        assertEquals("opens=30000 tcp=2000 execs=500", done.toString());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the file it opened is removed");
        }
    }
}
