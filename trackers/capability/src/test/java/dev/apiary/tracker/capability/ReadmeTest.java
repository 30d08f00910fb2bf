package dev.apiary.tracker.capability;

import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TrackerReadme;
import org.junit.jupiter.api.Test;

/**
 * The README follows the tracker README template (docs/tracker-readme.md); its generated
 * events and settings blocks are what the code declares now ({@code -Dapiary.readme.write=true}
 * rewrites them).
 */
class ReadmeTest {

    @Test
    void theReadmeDeclaresWhatTheCodeDoes() {
        TrackerReadme.check(new CapabilityTracker(TestConfig.defaults(CapabilityTracker.Config.class)).events(),
                CapabilityTracker.PID);
    }
}
