package dev.apiary.tracker.file;

import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TrackerReadme;
import org.junit.jupiter.api.Test;

/**
 * The module's README.md follows the tracker README template (docs/tracker-readme.md) and its
 * generated events and settings blocks are what {@link FileTracker#events()} and the metatype of
 * {@link FileTracker.Config} declare now. No kernel needed; run with
 * {@code -Dapiary.readme.write=true} to rewrite the blocks after changing an event or a setting.
 */
class ReadmeTest {

    @Test
    void theReadmeDeclaresWhatTheCodeDoes() {
        TrackerReadme.check(new FileTracker(TestConfig.defaults(FileTracker.Config.class)).events(), FileTracker.PID);
    }
}
