package dev.apiary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

    private static LaunchOptions parse(String... args) throws UsageException {
        return LaunchOptions.parse(List.of(args));
    }

    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void noArgumentsIsTheInteractiveShell() throws UsageException {
        assertEquals(new LaunchOptions(Mode.INTERACTIVE, Optional.empty(), Optional.empty(), Optional.empty(), false), parse());
    }

    @Test
    void headlessWritesToStdoutUnlessToldOtherwise() throws UsageException {
        assertEquals(Optional.of("-"), parse("--headless").output());
        assertEquals(Optional.of("/tmp/events.jsonl"), parse("--headless", "--output", "/tmp/events.jsonl").output());
        assertEquals(Optional.of("/tmp/e.jsonl"), parse("--output=/tmp/e.jsonl", "--headless").output());
        assertEquals(Mode.HEADLESS, parse("--headless", "--output", "-").mode());
    }

    @Test
    void commandTakesOneArgument() throws UsageException {
        LaunchOptions options = parse("-c", "lb -s; frameworklevel");
        assertEquals(Mode.COMMAND, options.mode());
        assertEquals(Optional.of("lb -s; frameworklevel"), options.command());
        assertEquals(Optional.of("help"), parse("--command=help").command());
    }

    @Test
    void logFileInAnyRuntimeMode() throws UsageException {
        assertEquals(Optional.of(Path.of("/var/log/apiary.log")), parse("--headless", "--log", "/var/log/apiary.log").logFile());
        assertEquals(Optional.of(Path.of("a.log")), parse("--log=a.log").logFile());
    }

    @Test
    void helpWinsOverEverythingElse() throws UsageException {
        assertEquals(Mode.HELP, parse("--help").mode());
        assertEquals(Mode.HELP, parse("--headless", "-h", "--bogus").mode());
    }

    @Test
    void wrongArgumentsAreNamed() {
        assertEquals("unknown option '--bogus'", error("--bogus"));
        assertEquals("unexpected argument 'foo'", error("foo"));
        assertEquals("-c needs a Gogo command line, e.g. -c 'lb -s'", error("-c"));
        assertEquals("-c needs a Gogo command line, e.g. -c 'lb -s'", error("-c", " "));
        assertEquals("--output needs a file, or - for stdout", error("--headless", "--output"));
        assertTrue(error("--output", "--headless").contains("got the option '--headless'"));
        assertEquals("--output is only for --headless (the interactive shell and -c print to the terminal)",
                error("--output", "x.jsonl"));
        assertEquals("-c runs commands and exits; it cannot be combined with --headless", error("--headless", "-c", "lb"));
        assertEquals("--headless is given twice", error("--headless", "--headless"));
        assertEquals("--headless takes no value (got '--headless=yes')", error("--headless=yes"));
        assertTrue(error("-c", "lb", "-c", "help").startsWith("-c is given twice"));
        assertTrue(error("--log", "-").startsWith("--log needs a file"));
    }

    @Test
    void unquotedCommandLineIsExplained() {
        assertEquals("unexpected argument 'foo' after -c: quote the whole command line as one argument,"
                + " e.g. apiary -c 'lb foo'", error("-c", "lb", "foo"));
    }

    @Test
    void usageMentionsEveryOption() {
        for (String option : List.of("--headless", "--output", "--log", "-c", "--command", "--help", "APIARY_SOCKET")) {
            assertTrue(LaunchOptions.USAGE.contains(option), option);
        }
    }
}
