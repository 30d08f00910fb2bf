package dev.apiary.sdk.command;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values of the options every command spells the same way, read with one error text
 * each. Gogo hands them over as strings ({@code @Parameter(names = {"-n", "--count"},
 * absentValue = "0") String count}) so that a bad value gets this text rather than a
 * coercion error. Stateless.
 */
public final class Options {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    private Options() {
    }

    /**
     * A {@code --count}: how many events or rows, 0 for no limit.
     *
     * @throws IllegalArgumentException "--count: 'x' is not a count; give a whole number, 0 for no limit"
     */
    public static long count(String value) {
        return number("--count", value, 0, Long.MAX_VALUE, "a count; give a whole number, 0 for no limit");
    }

    /**
     * A whole number of option {@code name} within {@code [min, max]}.
     *
     * @throws IllegalArgumentException naming the option, the value and the range
     */
    public static long number(String name, String value, long min, long max) {
        return number(name, value, min, max, "a whole number from " + min + " to " + max);
    }

    private static long number(String name, String value, long min, long max, String expected) {
        String v = value == null ? "" : value.strip();
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw new IllegalArgumentException(name + ": '" + Text.safe(v) + "' is not " + expected);
    }

    /**
     * An {@code --interval}: {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, or a bare
     * number of seconds; more than zero.
     *
     * @throws IllegalArgumentException "--interval: '5x' is not a duration; give e.g. 500ms, 2s or 1m"
     */
    public static Duration interval(String value) {
        return duration("--interval", value);
    }

    /**
     * An {@code --interval} from {@code min} to {@code max}.
     *
     * @throws IllegalArgumentException "--interval: '10ms' is out of range; give 100ms to 1h", or as {@link #interval}
     */
    public static Duration interval(String value, Duration min, Duration max) {
        return duration("--interval", value, min, max);
    }

    /** A duration of option {@code name} from {@code min} to {@code max}, spelled as for {@link #interval}. */
    public static Duration duration(String name, String value, Duration min, Duration max) {
        Duration d = duration(name, value);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + ": '" + Text.safe(value.strip()) + "' is out of range; give "
                    + format(min) + " to " + format(max));
        }
        return d;
    }

    /** A duration of option {@code name}, spelled as for {@link #interval}. */
    public static Duration duration(String name, String value) {
        String v = value == null ? "" : value.strip();
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            Duration d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
            if (d.isPositive()) {
                return d;
            }
        }
        throw new IllegalArgumentException(name + ": '" + Text.safe(v) + "' is not a duration; give e.g. 500ms, 2s or 1m");
    }

    /** {@code d} as {@link #duration} reads it back: "500ms", "2s", "1m". */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
