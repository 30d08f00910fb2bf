package org.apache.felix.service.command;

/** Test stand-in for Gogo's CommandSession (see CommandProcessor). */
public interface CommandSession extends AutoCloseable {
    Object execute(CharSequence commandline) throws Exception;

    CharSequence format(Object target, int level);

    Object get(String name);

    Job foregroundJob();

    @Override
    void close();
}
