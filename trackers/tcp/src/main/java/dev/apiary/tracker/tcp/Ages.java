package dev.apiary.tracker.tcp;

/** Durations as tables show them: "45s", "3m07s", "2h05m", "3d04h". */
final class Ages {

    private Ages() {
    }

    static String format(long nanos) {
        long s = Math.max(0, nanos / 1_000_000_000L);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format("%dd%02dh", s / 86400, s % 86400 / 3600);
    }
}
