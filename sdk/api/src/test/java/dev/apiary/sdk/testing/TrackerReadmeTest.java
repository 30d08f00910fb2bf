package dev.apiary.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.FieldDoc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackerReadmeTest {

    public record DoorEvent(EventHeader header, ContainerRef container,
            @FieldDoc("which door") String doorName,
            @FieldDoc("opened | closed count") long timesOpened,
            @FieldDoc("who held the key") List<String> keys) implements Event {
        @Override
        public String tracker() {
            return "door";
        }

        @Override
        public String type() {
            return "open";
        }
    }

    static final List<EventType> EVENTS = EventType.of(DoorEvent.class, "open", "a door opened", "shut", "a door shut");

    @TempDir
    Path folder;

    @Test
    void theEventsBlockListsTypesThenTheFieldsOfEachRecordAsJsonKeys() {
        assertEquals("""
                | type | when |
                |---|---|
                | `open` | a door opened |
                | `shut` | a door shut |

                **`open`, `shut`** (`DoorEvent`)

                | field | type | meaning |
                |---|---|---|
                | `door_name` | string | which door |
                | `times_opened` | long | opened \\| closed count |
                | `keys` | list | who held the key |
                """, TrackerReadme.eventsBlock(EVENTS));
    }

    @Test
    void aReadmeWithTheBlockAsTheCodeDeclaresPasses() throws Exception {
        Path readme = write(TrackerReadme.eventsBlock(EVENTS));
        TrackerReadme.check(readme, Map.of(TrackerReadme.EVENTS, TrackerReadme.eventsBlock(EVENTS)), false);
    }

    @Test
    void aStaleBlockFailsWithWhatItShouldReadAndIsRewrittenOnRequest() throws Exception {
        Path readme = write("| type | when |\n|---|---|\n| `open` | a door opened |\n");
        Map<String, String> blocks = Map.of(TrackerReadme.EVENTS, TrackerReadme.eventsBlock(EVENTS));
        AssertionError stale = assertThrows(AssertionError.class, () -> TrackerReadme.check(readme, blocks, false));
        assertTrue(stale.getMessage().contains("[events]") && stale.getMessage().contains("`door_name`"), stale.getMessage());

        TrackerReadme.check(readme, blocks, true);
        String text = Files.readString(readme);
        assertTrue(text.contains("| `shut` | a door shut |"), text);
        assertTrue(text.startsWith("# door tracker\n") && text.endsWith("## Limits\n\nNone.\n"), "the rest stays: " + text);
        TrackerReadme.check(readme, blocks, false);
    }

    @Test
    void aMissingSectionOrBlockIsNamed() throws Exception {
        Path readme = write(TrackerReadme.eventsBlock(EVENTS));
        Files.writeString(readme, Files.readString(readme).replace("## Cost\n", "## Costs\n"));
        AssertionError missing = assertThrows(AssertionError.class,
                () -> TrackerReadme.check(readme, Map.of(TrackerReadme.EVENTS, TrackerReadme.eventsBlock(EVENTS)), false));
        assertTrue(missing.getMessage().contains("'## Cost'"), missing.getMessage());

        Path noBlock = write(TrackerReadme.eventsBlock(EVENTS));
        AssertionError block = assertThrows(AssertionError.class,
                () -> TrackerReadme.check(noBlock, Map.of(TrackerReadme.SETTINGS, "x\n"), false));
        assertTrue(block.getMessage().contains("no generated settings block"), block.getMessage());
    }

    private Path write(String eventsBlock) throws Exception {
        Path readme = folder.resolve("README.md");
        Files.writeString(readme, "# door tracker\n\n## What it shows\n\nDoors.\n\n## Kernel hooks\n\nNone.\n\n## Events\n\n"
                + TrackerReadme.begin(TrackerReadme.EVENTS) + "\n" + eventsBlock + TrackerReadme.end(TrackerReadme.EVENTS)
                + "\n\n## Commands\n\nNone.\n\n## Configuration\n\nNone.\n\n## Cost\n\nNone.\n\n## Limits\n\nNone.\n");
        return readme;
    }
}
