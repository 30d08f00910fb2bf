package dev.apiary.e2e;

import dev.apiary.launcher.Apiary;
import dev.apiary.launcher.ApiaryEvent;
import dev.apiary.launcher.EventSubscription;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Prints the programs that containers run: the first {@code count}, or until 30 s pass without one. */
public class ExecMonitor {

    public static void main(String[] args) throws Exception {
        run(Path.of(args[0]), Integer.parseInt(args[1]), System.out);
    }

    public static void run(Path home, int count, PrintStream out) throws Exception {
        try (Apiary apiary = Apiary.builder()
                .home(home)               // an unpacked apiary-<version>.tar.gz
                .trackers("exec")         // only the exec tracker starts
                .watch("containers")      // containers only, not the host
                .build()) {
            apiary.start();
            BlockingQueue<ApiaryEvent> execs = new LinkedBlockingQueue<>();
            try (EventSubscription subscription = apiary.subscribe(
                    ApiaryEvent.Filter.tracker("exec").ofType("exec"), execs::add)) {
                out.println("ready");
                for (int i = 0; i < count; i++) {
                    ApiaryEvent e = execs.poll(30, TimeUnit.SECONDS);
                    if (e == null) {
                        break;
                    }
                    out.println(e.container().name() + " " + e.comm() + " " + e.field("args", List.class).orElse(List.of()));
                }
            }
        }
    }
}
