package dev.apiary.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Objects;
import org.osgi.framework.Bundle;

/**
 * Gogo's {@code CommandProcessor} service, called reflectively.
 *
 * <p>Why reflection and not an export of {@code org.apache.felix.service.command} from the
 * system bundle: the launcher lives on the application class path, outside the framework. An
 * export would put a second copy of Gogo's API there; gogo.runtime (which imports its own
 * package) and every command bundle could then wire to either copy depending on resolution
 * order, and a mismatch makes the service invisible or throws ClassCastException — the class
 * space trap TOOLCHAIN.md warns about for tests. Reflection touches only JDK types
 * (InputStream, OutputStream, CharSequence, Object), works with whatever gogo.runtime version
 * is installed, and keeps working after it is updated or refreshed (a new service object, a
 * new adapter). The methods are looked up on the API interfaces loaded through the bundle
 * that registered the service, never on implementation classes.
 *
 * <p>Immutable and thread-safe; each {@link Session} belongs to one caller.
 */
final class GogoProcessor {

    static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";
    private static final String JOB = "org.apache.felix.service.command.Job";
    /** Converter.INSPECT: the level the interactive shell formats results with. */
    private static final int INSPECT = 0;

    private final Object processor;
    private final Method createSession;
    private final Method execute;
    private final Method format;
    private final Method get;
    private final Method close;
    private final Method foregroundJob;
    private final Method interruptJob;

    /**
     * @param processor the service object
     * @param provider  the bundle that registered it (its class space defines the API types)
     * @throws ReflectiveOperationException when the bundle does not see Gogo's API as expected
     */
    GogoProcessor(Object processor, Bundle provider) throws ReflectiveOperationException {
        this.processor = Objects.requireNonNull(processor, "processor");
        Class<?> processorType = provider.loadClass(PROCESSOR);
        Class<?> sessionType = provider.loadClass(SESSION);
        Class<?> jobType = provider.loadClass(JOB);
        this.createSession = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class);
        this.execute = sessionType.getMethod("execute", CharSequence.class);
        this.format = sessionType.getMethod("format", Object.class, int.class);
        this.get = sessionType.getMethod("get", String.class);
        this.close = sessionType.getMethod("close");
        this.foregroundJob = sessionType.getMethod("foregroundJob");
        this.interruptJob = jobType.getMethod("interrupt");
    }

    Object service() {
        return processor;
    }

    /** A new session whose commands read {@code in} and print to {@code out} and {@code err}; the caller closes it. */
    Session open(InputStream in, OutputStream out, OutputStream err) throws Exception {
        return new Session(invoke(createSession, processor, in, out, err));
    }

    /** One Gogo {@code CommandSession}. Confined to one thread, except {@link #interruptForegroundJob()}. */
    final class Session implements AutoCloseable {
        private final Object session;

        private Session(Object session) {
            this.session = session;
        }

        /** Runs a command line; returns its value; throws what the command threw. */
        Object execute(CharSequence commandLine) throws Exception {
            return invoke(execute, session, commandLine);
        }

        /** Whether results are printed, as the shell decides it: unless {@code .Gogo.format} is false. */
        boolean printsResults() throws Exception {
            return !Boolean.FALSE.equals(invoke(get, session, ".Gogo.format"));
        }

        /** A result formatted as the interactive shell shows it (Converter.INSPECT). */
        String format(Object result) throws Exception {
            return String.valueOf(invoke(format, session, result, INSPECT));
        }

        /** Interrupts the job running in the foreground, as Ctrl-C in the shell does. Thread-safe. */
        void interruptForegroundJob() throws Exception {
            Object job = invoke(foregroundJob, session);
            if (job != null) {
                invoke(interruptJob, job);
            }
        }

        /** Closes the session; Gogo interrupts whatever still runs in it. */
        @Override
        public void close() throws Exception {
            invoke(close, session);
        }
    }

    private static Object invoke(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
