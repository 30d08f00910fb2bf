package dev.apiary.core.shell;

import dev.apiary.core.ApiaryRuntime;
import dev.apiary.core.tracker.TrackerManager;
import dev.apiary.core.tracker.TrackerManager.TrackerBundle;
import dev.apiary.core.tracker.TrackerState;
import dev.apiary.sdk.command.Text;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code apiary:help} and {@code apiary:banner}: what a newcomer sees. The help lists Apiary's
 * own commands (core's, every tracker's and every sink's, found as Gogo command services, so a tracker
 * installed a minute ago is in it), grouped by tracker, one line each from its
 * {@code @Descriptor}; the framework's commands stay out of it but reachable.
 */
@Component(service = HelpCommands.class, property = {
        "osgi.command.scope=apiary",
        "osgi.command.function=help",
        "osgi.command.function=banner",
        "osgi.command.function=exit"})
public final class HelpCommands {

    private static final String SCOPE = "osgi.command.scope";
    /** The header a sink's bundle names itself by ({@code Apiary-Sink: report}): its commands are listed under that name. */
    static final String SINK_HEADER = "Apiary-Sink";
    private static final String FUNCTION = "osgi.command.function";

    private final ApiaryRuntime runtime;
    private final BundleContext bundleContext;

    @Activate
    public HelpCommands(@Reference ApiaryRuntime runtime, BundleContext bundleContext) {
        this.runtime = runtime;
        this.bundleContext = bundleContext;
    }

    /** One command: its scope:function and the first line of its description. */
    record Entry(String group, String command, String description) {}

    @Descriptor("list Apiary's commands grouped by tracker, or show one command's options (help exec:ps)")
    public Object help(CommandSession session,
            @Descriptor("a command, e.g. exec:ps (default: list them all)") String... command) throws Exception {
        if (command.length > 0) {
            // Felix's help knows every command's parameters and options from their annotations.
            return session.execute("felix:help " + String.join(" ", command));
        }
        return render(entries());
    }

    @Descriptor("the shell's greeting: version, trackers running, where the log is")
    public void banner() {
        // Printed, not returned: the shell's start-up script does not print what commands return.
        System.out.print(greeting());
        System.out.flush();
    }

    @Descriptor("stop Apiary: every tracker detaches, the shell ends (Ctrl-D does the same)")
    public String exit() {
        // From another thread: the framework's stop waits for this command's bundle to stop.
        Thread.ofPlatform().name("apiary-exit").start(() -> {
            try {
                bundleContext.getBundle(0).stop();
            } catch (Exception | LinkageError e) {
                // the framework is stopping already
            }
        });
        return "stopping Apiary";
    }

    String greeting() {
        List<String> running = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (TrackerBundle t : runtime.trackers().bundles()) {
            if (t.state() == TrackerState.RUNNING) {
                running.add(t.name());
            } else if (t.state() == TrackerState.FAILED) {
                failed.add(t.name());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Apiary ").append(runtime.version()).append(" · ");
        sb.append(running.isEmpty() ? "no trackers running" : running.size() + " trackers running: " + String.join(", ", running));
        if (!failed.isEmpty()) {
            sb.append("; failed: ").append(String.join(", ", failed)).append(" (tracker:list says why)");
        }
        sb.append('\n');
        String log = bundleContext.getProperty("apiary.log");
        sb.append("log: ").append(log == null || log.isBlank() ? "stderr" : log).append('\n');
        sb.append("type help for Apiary's commands, help COMMAND for one, exit to stop\n");
        return sb.toString();
    }

    List<Entry> entries() throws InvalidSyntaxException {
        List<Entry> out = new ArrayList<>();
        ServiceReference<?>[] refs = bundleContext.getAllServiceReferences(null, "(" + SCOPE + "=*)");
        if (refs == null) {
            return out;
        }
        long core = bundleContext.getBundle().getBundleId();
        for (ServiceReference<?> ref : refs) {
            Bundle bundle = ref.getBundle();
            if (bundle == null) {
                continue; // unregistered meanwhile
            }
            String tracker = bundle.getHeaders().get(TrackerManager.TRACKER_HEADER);
            if (tracker == null || tracker.isBlank()) {
                tracker = bundle.getHeaders().get(SINK_HEADER);
            }
            if (bundle.getBundleId() != core && (tracker == null || tracker.isBlank())) {
                continue; // the framework's commands: felix:help lists them
            }
            String scope = String.valueOf(ref.getProperty(SCOPE));
            String group = bundle.getBundleId() == core ? scope : tracker.trim();
            Object service = bundleContext.getService(ref);
            if (service == null) {
                continue;
            }
            try {
                for (String function : functions(ref.getProperty(FUNCTION))) {
                    out.add(new Entry(group, scope + ":" + function, describe(service.getClass(), function)));
                }
            } finally {
                bundleContext.ungetService(ref);
            }
        }
        return out;
    }

    static String render(List<Entry> entries) {
        Map<String, Map<String, String>> groups = new TreeMap<>((a, b) -> {
            int ra = rank(a);
            int rb = rank(b);
            return ra != rb ? Integer.compare(ra, rb) : a.compareTo(b);
        });
        int width = 0;
        for (Entry e : entries) {
            groups.computeIfAbsent(e.group(), g -> new TreeMap<>()).put(e.command(), e.description());
            width = Math.max(width, e.command().length());
        }
        StringBuilder sb = new StringBuilder("Apiary's commands, by tracker (help COMMAND shows its options; "
                + "felix:help lists the framework's too)\n");
        for (Map.Entry<String, Map<String, String>> g : groups.entrySet()) {
            sb.append('\n').append(Text.safe(g.getKey())).append('\n');
            for (Map.Entry<String, String> c : g.getValue().entrySet()) {
                String cmd = Text.safe(c.getKey());
                sb.append("  ").append(cmd).append(" ".repeat(Math.max(0, width - cmd.length() + 2)))
                        .append(Text.safe(c.getValue())).append('\n');
            }
        }
        return sb.toString();
    }

    /** Core's groups first (apiary, tracker), then the trackers by name. */
    private static int rank(String group) {
        return switch (group) {
            case "apiary" -> 0;
            case "tracker" -> 1;
            default -> 2;
        };
    }

    private static List<String> functions(Object property) {
        if (property instanceof String[] many) {
            return List.of(many);
        }
        if (property instanceof String one) {
            return List.of(one);
        }
        return List.of();
    }

    /** The first sentence-line of the {@code @Descriptor} of the public method named {@code function}. */
    static String describe(Class<?> type, String function) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(function)) {
                Descriptor d = m.getAnnotation(Descriptor.class);
                if (d != null) {
                    String text = d.value().strip();
                    int nl = text.indexOf('\n');
                    return nl < 0 ? text : text.substring(0, nl);
                }
            }
        }
        return "";
    }
}
