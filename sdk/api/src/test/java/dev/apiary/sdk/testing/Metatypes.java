package dev.apiary.sdk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.apache.felix.metatype.Designate;
import org.apache.felix.metatype.MetaData;
import org.apache.felix.metatype.MetaDataReader;
import org.apache.felix.metatype.OCD;
import org.osgi.service.metatype.AttributeDefinition;

/**
 * A tracker's settings as {@code tracker:config} sees them: the metatype bnd wrote from its
 * {@code @ObjectClassDefinition} into {@code target/classes/OSGI-INF/metatype/<PID>.xml}, read
 * with Felix's {@link MetaDataReader} as core reads it. The keys are the methods' names with
 * each underscore turned into a dot, as DS and the metatype annotations map them:
 * {@code ring_kb()} is {@code ring.kb}. {@link AD#validate} then refuses what core refuses.
 *
 * <p>The test needs {@code org.apache.felix:org.apache.felix.metatype} on its own classpath
 * (a test-scope dependency of the tracker), as this test-jar does not bring it.
 */
public final class Metatypes {

    /** Where bnd writes the metatypes, relative to the module (the test's working directory). */
    public static final Path FOLDER = Path.of("target/classes/OSGI-INF/metatype");

    private Metatypes() {
    }

    /**
     * The attribute definitions of the one designate of {@code pid}, by key in the order they are
     * declared.
     *
     * @throws AssertionError when there is no such file, it declares nothing, its designate is
     *     not {@code pid} (or there is more than one) or it names no object class definition it has
     */
    public static Map<String, AD> attributes(String pid) {
        Path xml = FOLDER.resolve(pid + ".xml");
        if (!Files.isRegularFile(xml)) {
            throw new AssertionError("no metatype " + xml.toAbsolutePath() + " (no @Designate for " + pid + "?)");
        }
        MetaData data;
        try {
            data = new MetaDataReader().parse(xml.toUri().toURL());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + xml, e);
        }
        if (data == null) {
            throw new AssertionError(xml + " declares nothing");
        }
        @SuppressWarnings("unchecked")
        List<Designate> designates = data.getDesignates();
        if (designates == null || designates.size() != 1 || !pid.equals(designates.get(0).getPid())) {
            throw new AssertionError(xml + " should designate " + pid + " alone, designates "
                    + (designates == null ? "nothing" : designates.stream().map(Designate::getPid).toList()));
        }
        String ocdRef = designates.get(0).getObject().getOcdRef();
        @SuppressWarnings("unchecked")
        Map<String, OCD> ocds = data.getObjectClassDefinitions();
        OCD ocd = ocds == null ? null : ocds.get(ocdRef);
        if (ocd == null) {
            throw new AssertionError(xml + " has no object class definition " + ocdRef + " for " + pid);
        }
        @SuppressWarnings("unchecked")
        Map<String, AD> ads = ocd.getAttributeDefinitions();
        return ads == null ? Map.of() : new LinkedHashMap<>(ads);
    }

    /**
     * Checks the {@code ring.kb} setting every tracker with a ring has ({@code ring_kb()}, sized with
     * {@link dev.apiary.sdk.RingSize}): an integer of {@code defaultKib} by default, from 256 to
     * 1048576 (1 GiB), which refuses 1, 2097152 and a word and takes its default.
     *
     * @throws AssertionError on the first that does not hold
     */
    public static void assertRingKb(Map<String, AD> attributes, int defaultKib) {
        AD ring = attributes.get("ring.kb");
        if (ring == null) {
            throw new AssertionError("no ring.kb among " + attributes.keySet());
        }
        String defaultValue = String.valueOf(defaultKib);
        check(ring.getType() == AttributeDefinition.INTEGER, "ring.kb is not an integer: type " + ring.getType());
        String[] defaults = ring.getDefaultValue();
        check(defaults != null && defaults.length == 1 && defaults[0].equals(defaultValue),
                "ring.kb's default is not " + defaultValue + ": " + (defaults == null ? null : List.of(defaults)));
        check("256".equals(ring.getMin()), "ring.kb's min is not 256: " + ring.getMin());
        check("1048576".equals(ring.getMax()), "ring.kb's max is not 1048576: " + ring.getMax());
        for (String refused : List.of("1", "2097152", "lots")) {
            String why = ring.validate(refused);
            check(why != null && !why.isEmpty(), "ring.kb=" + refused + " is not refused");
        }
        check("".equals(ring.validate(defaultValue)), "ring.kb's default is refused: " + ring.validate(defaultValue));
    }

    private static void check(boolean holds, String otherwise) {
        if (!holds) {
            throw new AssertionError(otherwise);
        }
    }
}
