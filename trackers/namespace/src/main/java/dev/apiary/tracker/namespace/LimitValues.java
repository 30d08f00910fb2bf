package dev.apiary.tracker.namespace;

import dev.apiary.sdk.Containers.Limit;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses limit values the way the docker CLI does, into the units of
 * {@link dev.apiary.sdk.Containers#setLimit}: memory as {@code docker update --memory}
 * ({@code 1048576}, {@code 64m}, {@code 1g}, {@code 512k}, {@code 1.5g}, binary multiples, an
 * optional trailing {@code b}/{@code ib}), CPU as {@code --cpus} ({@code 0.5} → 500,000,000
 * nano-CPUs, at most 9 decimals), pids as {@code --pids-limit} (a whole number). Every value
 * must be positive. Stateless.
 */
final class LimitValues {

    private static final Pattern MEMORY = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s?([kmgtp])?(?:i?b)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "kmgtp";

    private LimitValues() {
    }

    /** The limit a word names: "memory", "cpu" or "pids" (any case). */
    static Limit kind(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "memory", "mem" -> Limit.MEMORY;
            case "cpu", "cpus" -> Limit.CPU;
            case "pids" -> Limit.PIDS;
            default -> throw new IllegalArgumentException("unknown limit '" + word + "': give memory, cpu or pids");
        };
    }

    /**
     * @return the value in the limit's unit: bytes, nano-CPUs, or tasks
     * @throws IllegalArgumentException with one line saying what is wrong
     */
    static long parse(Limit limit, String text) {
        String t = text.trim();
        return switch (limit) {
            case MEMORY -> memory(t);
            case CPU -> cpu(t);
            case PIDS -> pids(t);
        };
    }

    static long memory(String text) {
        Matcher m = MEMORY.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad memory value '" + text + "': give bytes or a number with k, m, g, t or p (64m, 1g)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            int power = UNITS.indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1;
            bytes = bytes.multiply(BigDecimal.valueOf(1024).pow(power));
        }
        return positive(bytes.setScale(0, java.math.RoundingMode.DOWN), "memory", text);
    }

    static long cpu(String text) {
        BigDecimal cpus;
        try {
            cpus = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad cpu value '" + text + "': give a number of CPUs (0.5, 1.5)");
        }
        BigDecimal nanos = cpus.movePointRight(9);
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("bad cpu value '" + text + "': at most 9 decimals");
        }
        return positive(nanos, "cpu", text);
    }

    static long pids(String text) {
        if (!text.matches("\\d+")) {
            throw new IllegalArgumentException("bad pids value '" + text + "': give a whole number of tasks (100)");
        }
        return positive(new BigDecimal(text), "pids", text);
    }

    private static long positive(BigDecimal value, String what, String text) {
        if (value.signum() <= 0) {
            throw new IllegalArgumentException("bad " + what + " value '" + text + "': must be more than 0");
        }
        try {
            return value.longValueExact();
        } catch (ArithmeticException tooLarge) {
            throw new IllegalArgumentException("bad " + what + " value '" + text + "': too large");
        }
    }
}
