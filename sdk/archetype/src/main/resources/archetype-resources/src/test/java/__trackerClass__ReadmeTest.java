package ${package};

import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TrackerReadme;
import org.junit.jupiter.api.Test;

/**
 * README.md follows Apiary's tracker README template (docs/tracker-readme.md), and its events
 * and settings tables are what {@link ${trackerClass}Tracker} declares: its events() with the
 * {@code @FieldDoc}s of {@link ${trackerClass}Event}, and the metatype bnd wrote from
 * {@link ${trackerClass}Tracker.Config}. No kernel needed. After changing an event or a setting,
 * {@code mvn test -Dtest=${trackerClass}ReadmeTest -Dapiary.readme.write=true} rewrites the tables.
 */
class ${trackerClass}ReadmeTest {

    @Test
    void theReadmeDeclaresWhatTheCodeDoes() {
        TrackerReadme.check(new ${trackerClass}Tracker(TestConfig.defaults(${trackerClass}Tracker.Config.class)).events(),
                ${trackerClass}Tracker.PID);
    }
}
