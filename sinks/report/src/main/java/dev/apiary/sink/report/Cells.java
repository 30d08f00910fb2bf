package dev.apiary.sink.report;

/**
 * Makes a CSV cell safe to open in a spreadsheet: a text that starts with {@code =}, {@code +},
 * {@code -}, {@code @}, a tab or a carriage return would be run as a formula (CSV injection), so
 * it gets a leading apostrophe, as OWASP advises; spreadsheets show the text as it was. Numbers
 * are written as numbers and need nothing.
 */
final class Cells {

    private Cells() {
    }

    static String safe(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        return switch (text.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
            default -> text;
        };
    }
}
