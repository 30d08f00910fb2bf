package dev.apiary.launcher;

/**
 * What a command printed and how it ended, from {@link Apiary#commands(String)}.
 *
 * @param status 0 when the command completed, 1 when it threw (its message is in {@code errors})
 * @param output what it printed on stdout, its formatted result last
 * @param errors what it printed on stderr
 */
public record CommandResult(int status, String output, String errors) {
    public boolean ok() {
        return status == CommandExecution.OK;
    }
}
