package dev.apiary.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.felix.metatype.AD;
import org.apache.felix.metatype.Designate;
import org.apache.felix.metatype.MetaData;
import org.apache.felix.metatype.MetaDataReader;
import org.apache.felix.metatype.OCD;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;

/**
 * A tracker's typed configuration: the settings its bundle declares with
 * {@code @ObjectClassDefinition} + {@code @Designate} (bnd writes them to
 * {@code OSGI-INF/metatype/}), and their values in Configuration Admin under the designated
 * PID, which {@code conf/<pid>.cfg} files feed as well. Reads the metatype with Felix's
 * reader, which keeps each attribute's min and max; validates with its validator.
 *
 * <p>Not thread-safe; get one per command.
 */
public final class TrackerSettings {

    private final String pid;
    private final List<AD> attributes;
    private final ConfigurationAdmin configAdmin;

    private TrackerSettings(String pid, List<AD> attributes, ConfigurationAdmin configAdmin) {
        this.pid = pid;
        this.attributes = attributes;
        this.configAdmin = configAdmin;
    }

    /**
     * The settings {@code bundle} declares, or empty when it declares none. Of several
     * designated PIDs, the one named as the bundle is taken.
     *
     * @throws IllegalStateException when its metatype cannot be read
     */
    public static Optional<TrackerSettings> of(Bundle bundle, ConfigurationAdmin configAdmin) {
        Enumeration<URL> entries = bundle.findEntries("OSGI-INF/metatype", "*.xml", false);
        if (entries == null) {
            return Optional.empty();
        }
        Map<String, OCD> ocds = new LinkedHashMap<>();
        Map<String, String> ocdOfPid = new LinkedHashMap<>();
        MetaDataReader reader = new MetaDataReader();
        while (entries.hasMoreElements()) {
            URL url = entries.nextElement();
            MetaData data;
            try {
                data = reader.parse(url);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + url + ": " + e.getMessage(), e);
            }
            if (data == null) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, OCD> found = data.getObjectClassDefinitions();
            if (found != null) {
                ocds.putAll(found);
            }
            @SuppressWarnings("unchecked")
            List<Designate> designates = data.getDesignates();
            if (designates != null) {
                for (Designate d : designates) {
                    if (d.getPid() != null && d.getObject() != null) {
                        ocdOfPid.put(d.getPid(), d.getObject().getOcdRef());
                    }
                }
            }
        }
        if (ocdOfPid.isEmpty()) {
            return Optional.empty();
        }
        String pid = ocdOfPid.containsKey(bundle.getSymbolicName()) ? bundle.getSymbolicName()
                : ocdOfPid.keySet().iterator().next();
        OCD ocd = ocds.get(ocdOfPid.get(pid));
        if (ocd == null || ocd.getAttributeDefinitions() == null) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        Map<String, AD> ads = ocd.getAttributeDefinitions();
        return Optional.of(new TrackerSettings(pid, List.copyOf(ads.values()), configAdmin));
    }

    /** The PID its values live under, also the name of its {@code conf/<pid>.cfg}. */
    public String pid() {
        return pid;
    }

    /** Every setting with its current value, in declaration order. */
    public List<Setting> list() {
        Dictionary<String, Object> current = current();
        List<Setting> out = new ArrayList<>();
        for (AD ad : attributes) {
            Object v = current == null ? null : current.get(ad.getID());
            String def = join(ad.getDefaultValue());
            out.add(new Setting(ad.getID(), typeName(ad.getType()), def, v == null ? def : valueText(v), v != null,
                    allowed(ad), ad.getDescription() == null ? "" : ad.getDescription()));
        }
        return out;
    }

    /**
     * Validates every {@code key=value} and, only when all are valid, stores them in the
     * configuration (other keys keep their values). The tracker's component sees the change
     * through Declarative Services and restarts with it.
     *
     * @return the values stored, typed as the metatype declares them
     * @throws IllegalArgumentException naming every unknown key and every refused value with
     *         what is allowed; nothing is stored then
     */
    public Map<String, Object> change(Map<String, String> assignments) {
        Map<String, Object> typed = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> a : assignments.entrySet()) {
            Optional<AD> ad = attributes.stream().filter(x -> x.getID().equals(a.getKey())).findFirst();
            if (ad.isEmpty()) {
                problems.add("no setting " + a.getKey() + " (settings: "
                        + String.join(", ", attributes.stream().map(AD::getID).toList()) + ")");
                continue;
            }
            String refusal = refusal(ad.get(), a.getValue());
            if (refusal != null) {
                problems.add(refusal);
                continue;
            }
            typed.put(a.getKey(), typedValue(ad.get().getType(), a.getValue().strip()));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems) + "; nothing was changed");
        }
        try {
            Configuration c = configAdmin.getConfiguration(pid, "?");
            Dictionary<String, Object> props = c.getProperties();
            Dictionary<String, Object> next = new Hashtable<>();
            if (props != null) {
                for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
                    String k = keys.nextElement();
                    next.put(k, props.get(k));
                }
            }
            typed.forEach(next::put);
            c.update(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the configuration " + pid + ": " + e.getMessage(), e);
        }
        return typed;
    }

    /** Why {@code value} is refused for {@code ad}, or null when it is allowed. */
    static String refusal(AD ad, String value) {
        String v = value == null ? "" : value.strip();
        String result = ad.validate(v);
        if (result == null || result.isEmpty()) {
            return null;
        }
        String allowed = allowed(ad);
        return ad.getID() + "=" + v + " is not allowed: " + typeName(ad.getType())
                + (allowed.isEmpty() ? "" : " " + allowed) + " expected";
    }

    private Dictionary<String, Object> current() {
        try {
            Configuration[] found = configAdmin.listConfigurations("(service.pid=" + pid + ")");
            return found == null || found.length == 0 ? null : found[0].getProperties();
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException("cannot read the configuration " + pid + ": " + e.getMessage(), e);
        }
    }

    /** "from 64 to 65536", "one of tc, generic", "at least 1", or "". */
    static String allowed(AD ad) {
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0) {
            return "one of " + String.join(", ", options);
        }
        String min = ad.getMin();
        String max = ad.getMax();
        if (min != null && max != null) {
            return "from " + min + " to " + max;
        }
        if (min != null) {
            return "at least " + min;
        }
        if (max != null) {
            return "at most " + max;
        }
        return "";
    }

    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER -> "int";
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.SHORT -> "short";
            case AttributeDefinition.BYTE -> "byte";
            case AttributeDefinition.DOUBLE -> "double";
            case AttributeDefinition.FLOAT -> "float";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.CHARACTER -> "char";
            case AttributeDefinition.PASSWORD -> "password";
            default -> "string";
        };
    }

    private static Object typedValue(int type, String v) {
        return switch (type) {
            case AttributeDefinition.INTEGER -> Integer.valueOf(v);
            case AttributeDefinition.LONG -> Long.valueOf(v);
            case AttributeDefinition.SHORT -> Short.valueOf(v);
            case AttributeDefinition.BYTE -> Byte.valueOf(v);
            case AttributeDefinition.DOUBLE -> Double.valueOf(v);
            case AttributeDefinition.FLOAT -> Float.valueOf(v);
            case AttributeDefinition.BOOLEAN -> Boolean.valueOf(v);
            case AttributeDefinition.CHARACTER -> v.charAt(0);
            default -> v;
        };
    }

    private static String valueText(Object v) {
        if (v instanceof Object[] array) {
            return join(java.util.Arrays.stream(array).map(String::valueOf).toArray(String[]::new));
        }
        return String.valueOf(v);
    }

    private static String join(String[] values) {
        return values == null ? "" : String.join(",", values);
    }
}
