package dev.apiary.sdk.testing;

import dev.apiary.sdk.EventFields;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.osgi.service.metatype.AttributeDefinition;

/**
 * Keeps a tracker's README true to its code: the parts of it that the code declares — the
 * events and their fields ({@link EventType}, {@link dev.apiary.sdk.FieldDoc}) and the settings
 * (the metatype of its {@code @ObjectClassDefinition}) — are generated blocks between markers,
 * and {@link #check} fails when a block differs from what the code declares now, or when a
 * section of the template is missing (docs/tracker-readme.md).
 *
 * <p>A tracker's {@code ReadmeTest} calls {@code TrackerReadme.check(tracker.events(), PID)}.
 * Run it with {@code -Dapiary.readme.write=true} to rewrite the blocks in place (atomically)
 * instead of failing; the rest of the README is never touched.
 */
public final class TrackerReadme {

    /** The README, relative to the module (the test's working directory). */
    public static final Path README = Path.of("README.md");

    /** The template's sections, in order (docs/tracker-readme.md says what goes in each). */
    public static final List<String> SECTIONS = List.of(
            "## What it shows", "## Kernel hooks", "## Events", "## Commands", "## Configuration", "## Cost", "## Limits");

    static final String EVENTS = "events", SETTINGS = "settings";

    private TrackerReadme() {
    }

    /**
     * Checks README.md: every template section, in order, and the generated blocks (events,
     * and settings when {@code pid} is not null) equal to what the code declares.
     *
     * @throws AssertionError naming what is missing, or showing the block as it should read
     */
    public static void check(List<EventType> events, String pid) {
        Map<String, String> blocks = new LinkedHashMap<>();
        blocks.put(EVENTS, eventsBlock(events));
        if (pid != null) {
            blocks.put(SETTINGS, settingsBlock(Metatypes.attributes(pid)));
        }
        check(README, blocks, Boolean.getBoolean("apiary.readme.write"));
    }

    static void check(Path readme, Map<String, String> blocks, boolean write) {
        String text;
        try {
            text = Files.readString(readme, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("no README at " + readme.toAbsolutePath(), e);
        }
        int at = 0;
        for (String section : SECTIONS) {
            int found = lineStart(text, section, at);
            if (found < 0) {
                throw new AssertionError(readme + " lacks the section '" + section + "' (after the ones before it): "
                        + "the template is " + SECTIONS);
            }
            at = found + section.length();
        }
        String updated = text;
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> block : blocks.entrySet()) {
            String begin = begin(block.getKey()), end = end(block.getKey());
            int from = updated.indexOf(begin), to = updated.indexOf(end);
            if (from < 0 || to < from) {
                throw new AssertionError(readme + " has no generated " + block.getKey() + " block: put the lines\n"
                        + begin + "\n" + end + "\nin it and run the test with -Dapiary.readme.write=true");
            }
            String current = updated.substring(from + begin.length(), to);
            String wanted = "\n" + block.getValue();
            if (!current.equals(wanted)) {
                stale.add(block.getKey());
                updated = updated.substring(0, from + begin.length()) + wanted + updated.substring(to);
            }
        }
        if (stale.isEmpty()) {
            return;
        }
        if (write) {
            writeAtomically(readme, updated);
            return;
        }
        throw new AssertionError(readme + ": the generated " + stale + " block(s) differ from the code; "
                + "run the test with -Dapiary.readme.write=true to rewrite them. It should read:\n" + updated);
    }

    /** The events block: a table of the types, then one table of fields per record class. */
    public static String eventsBlock(List<EventType> events) {
        StringBuilder out = new StringBuilder("| type | when |\n|---|---|\n");
        Map<Class<?>, List<EventType>> byRecord = new LinkedHashMap<>();
        for (EventType type : events) {
            out.append("| `").append(type.name()).append("` | ").append(cell(type.doc())).append(" |\n");
            byRecord.computeIfAbsent(type.record(), r -> new ArrayList<>()).add(type);
        }
        for (List<EventType> types : byRecord.values()) {
            out.append("\n**").append(String.join(", ", types.stream().map(t -> "`" + t.name() + "`").toList()))
                    .append("** (`").append(types.get(0).record().getSimpleName()).append("`)\n\n");
            List<EventFields.Field> fields = types.get(0).fields();
            if (fields.isEmpty()) {
                out.append("No fields besides the header and the container.\n");
                continue;
            }
            out.append("| field | type | meaning |\n|---|---|---|\n");
            for (EventFields.Field field : fields) {
                out.append("| `").append(EventJson.key(field.name())).append("` | ").append(typeWord(field.type()))
                        .append(" | ").append(cell(field.doc())).append(" |\n");
            }
        }
        return out.toString();
    }

    /** The settings block: key, type, default, range and description of each attribute. */
    public static String settingsBlock(Map<String, AD> attributes) {
        StringBuilder out = new StringBuilder("| key | type | default | range | meaning |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, AD> e : attributes.entrySet()) {
            AD ad = e.getValue();
            String[] defaults = ad.getDefaultValue();
            String range = ad.getMin() == null && ad.getMax() == null ? ""
                    : (ad.getMin() == null ? "" : ad.getMin()) + "–" + (ad.getMax() == null ? "" : ad.getMax());
            out.append("| `").append(e.getKey()).append("` | ").append(adType(ad.getType())).append(" | ")
                    .append(defaults == null ? "" : "`" + String.join(",", defaults) + "`").append(" | ")
                    .append(range).append(" | ").append(cell(ad.getDescription())).append(" |\n");
        }
        return out.toString();
    }

    static String begin(String block) {
        return "<!-- " + block + ": generated from the code by TrackerReadme; do not edit -->";
    }

    static String end(String block) {
        return "<!-- /" + block + " -->";
    }

    private static int lineStart(String text, String line, int from) {
        int at = from;
        while ((at = text.indexOf(line, at)) >= 0) {
            boolean starts = at == 0 || text.charAt(at - 1) == '\n';
            int after = at + line.length();
            boolean ends = after == text.length() || text.charAt(after) == '\n';
            if (starts && ends) {
                return at;
            }
            at = after;
        }
        return -1;
    }

    private static String typeWord(Class<?> type) {
        if (type == String.class) {
            return "string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "map";
        }
        return type.isPrimitive() ? type.getName() : type.getSimpleName();
    }

    private static String adType(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER -> "int";
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.STRING -> "string";
            case AttributeDefinition.DOUBLE -> "double";
            default -> "type " + type;
        };
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    private static void writeAtomically(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".readme", ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }
}
