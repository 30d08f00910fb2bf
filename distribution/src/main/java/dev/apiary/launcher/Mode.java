package dev.apiary.launcher;

/** What {@code bin/apiary} was asked to do; the value of the framework property {@code apiary.mode}. */
public enum Mode {
    /** Runtime with the interactive Gogo shell; leaving the shell stops the runtime. */
    INTERACTIVE,
    /** Runtime without a shell, until SIGTERM/SIGINT; events go to {@code apiary.output}. */
    HEADLESS,
    /** Run Gogo commands (in the running runtime, or in a runtime of its own) and exit. */
    COMMAND,
    /** Print the usage and exit. */
    HELP,
    /** Started through the {@link Apiary} embedding API by another program. */
    EMBEDDED;

    /** The property value: the lower-case name. */
    public String propertyValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
