package dev.apiary.sdk;

import java.time.Instant;

/**
 * Appends an instant given in nanoseconds since the epoch exactly as {@link Instant#toString()}
 * writes it (ISO-8601, UTC, {@code Z}; the fraction in 0, 3, 6 or 9 digits as needed), without
 * formatting the date again for every event: the text up to the seconds is kept for the last
 * second written. A storm's events mostly share their second; {@code Instant.toString} and its
 * formatter were 3 of the event log's 53 samples in a profile of warm tcp storms. Safe for
 * concurrent use (a race only formats a second twice).
 */
final class InstantText {

    private record Second(long epochSecond, String text) {}

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private InstantText() {
    }

    static void append(long epochNanos, StringBuilder out) {
        long second = Math.floorDiv(epochNanos, 1_000_000_000L);
        int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
        Second s = last;
        if (s.epochSecond() != second) {
            String text = Instant.ofEpochSecond(second).toString();
            // "...T23:38:38Z": everything but the Z, which comes after the fraction.
            s = new Second(second, text.substring(0, text.length() - 1));
            last = s;
        }
        out.append(s.text());
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(nanos / 1_000_000, 100, out);
            } else if (nanos % 1_000 == 0) {
                digits(nanos / 1_000, 100_000, out);
            } else {
                digits(nanos, 100_000_000, out);
            }
        }
        out.append('Z');
    }

    /** {@code value}'s digits from the place of {@code top} (100: three digits) down, zeros in front. */
    private static void digits(int value, int top, StringBuilder out) {
        for (int unit = top; unit > 0; unit /= 10) {
            out.append((char) ('0' + value / unit % 10));
        }
    }
}
