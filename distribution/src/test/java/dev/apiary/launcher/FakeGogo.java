package dev.apiary.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Job;
import org.osgi.framework.Bundle;

/**
 * A command processor with a few fixed commands, for testing the control socket without a
 * framework. Commands: {@code say TEXT} prints TEXT and returns nothing; {@code answer}
 * returns 42 (printed through format as "formatted:42"); {@code warn TEXT} prints TEXT on
 * stderr; {@code fail TEXT} throws with message TEXT; {@code block} prints "blocking" and
 * waits until interrupted, then counts down {@link #interrupted}.
 */
final class FakeGogo implements CommandProcessor {

    final CountDownLatch interrupted = new CountDownLatch(1);
    final CountDownLatch blocking = new CountDownLatch(1);

    /** The adapter the launcher would build for the real service. */
    GogoProcessor processor() throws ReflectiveOperationException {
        return new GogoProcessor(this, classLoadingBundle());
    }

    /** A Bundle whose loadClass finds the test stand-ins of Gogo's API. */
    static Bundle classLoadingBundle() {
        return (Bundle) Proxy.newProxyInstance(FakeGogo.class.getClassLoader(), new Class<?>[] {Bundle.class}, (proxy, method, args) -> {
            if (method.getName().equals("loadClass")) {
                return Class.forName((String) args[0]);
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    @Override
    public CommandSession createSession(InputStream in, OutputStream out, OutputStream err) {
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new CommandSession() {
            private volatile Thread running;

            @Override
            public Object execute(CharSequence commandline) throws Exception {
                String line = commandline.toString();
                String word = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
                String rest = line.substring(word.length()).trim();
                switch (word) {
                    case "say" -> {
                        stdout.println(rest);
                        return null;
                    }
                    case "answer" -> {
                        return 42;
                    }
                    case "warn" -> {
                        stderr.println(rest);
                        return null;
                    }
                    case "fail" -> throw new IllegalArgumentException(rest);
                    case "block" -> {
                        running = Thread.currentThread();
                        stdout.println("blocking");
                        blocking.countDown();
                        try {
                            Thread.sleep(60_000);
                            throw new AssertionError("block was never interrupted");
                        } catch (InterruptedException e) {
                            interrupted.countDown();
                            throw e;
                        }
                    }
                    default -> throw new IllegalArgumentException("Command not found: " + word);
                }
            }

            @Override
            public CharSequence format(Object target, int level) {
                return "formatted:" + target;
            }

            @Override
            public Object get(String name) {
                return null;
            }

            @Override
            public Job foregroundJob() {
                Thread thread = running;
                return thread == null ? null : thread::interrupt;
            }

            @Override
            public void close() {
            }
        };
    }
}
