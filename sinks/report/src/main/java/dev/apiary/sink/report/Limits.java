package dev.apiary.sink.report;

/**
 * How much one container's activity may hold: past a bound, new entries are counted as
 * omitted instead of kept, so memory per container stays bounded whatever it does.
 *
 * @param processes  processes kept
 * @param execsPerProcess execs kept per process (a shell loop exec'ing in one process)
 * @param files      distinct paths kept
 * @param connections distinct remote endpoints kept
 * @param listening  listening sockets kept
 * @param peers      distinct peers kept per listening socket
 */
public record Limits(int processes, int execsPerProcess, int files, int connections, int listening, int peers) {

    public static final Limits DEFAULTS = new Limits(4096, 16, 4096, 1024, 256, 64);

    public Limits {
        if (processes < 1 || execsPerProcess < 1 || files < 1 || connections < 1 || listening < 1 || peers < 1) {
            throw new IllegalArgumentException("every bound must be at least 1");
        }
    }
}
