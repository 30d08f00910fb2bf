package dev.apiary.core.shell;

import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.BpfProgram;
import dev.apiary.bpf.PinnedMap;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Text;
import dev.apiary.core.tracker.TrackerHandle;
import dev.apiary.core.tracker.TrackerManager.TrackerBundle;
import dev.apiary.sdk.EventFields;
import dev.apiary.sdk.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code tracker:info} shows, one immutable snapshot: the same records become the text
 * and the JSON. Event fields come from the tracker's {@link EventType} declarations, the same
 * ones that name the event table's columns and the JSON keys of its events.
 */
public record TrackerInfo(String name, String state, String error, String description, String bundle, long bundleId,
        String version, String location, long startMs, List<ProgramInfo> programs, List<MapInfo> maps,
        List<EventInfo> events) {

    public record ProgramInfo(String object, String name, String type, String section, List<String> attached) {}

    public record MapInfo(String object, String name, String type, int keySize, int valueSize, int maxEntries,
            String pinned) {}

    public record FieldInfo(String name, String type, String description) {}

    public record EventInfo(String type, String record, String description, List<FieldInfo> fields) {}

    static TrackerInfo of(TrackerBundle t) {
        Optional<TrackerHandle> h = t.handle();
        List<ProgramInfo> programs = new ArrayList<>();
        List<MapInfo> maps = new ArrayList<>();
        for (BpfObject obj : h.map(TrackerHandle::objects).orElse(List.of())) {
            List<BpfLink> links = obj.links();
            for (BpfProgram p : obj.programs()) {
                if (!p.autoload()) {
                    continue;
                }
                List<String> attached = links.stream().filter(l -> l.program().equals(p.name()) && l.isOpen())
                        .map(BpfLink::target).toList();
                programs.add(new ProgramInfo(obj.name(), p.name(), p.typeName(), p.sectionName(), attached));
            }
            for (BpfMap m : obj.maps()) {
                String pinned = obj.pinnedMaps().stream().filter(pm -> pm.map().equals(m.name())).findFirst()
                        .map(pm -> pm.path() + (pm.outcome() == PinnedMap.Outcome.NEW ? "" : " (" + pm.outcomeText() + ")"))
                        .orElse("");
                maps.add(new MapInfo(obj.name(), m.name(), m.typeName(), m.keySize(), m.valueSize(), m.maxEntries(), pinned));
            }
        }
        List<EventInfo> events = new ArrayList<>();
        for (EventType e : h.map(TrackerHandle::events).orElse(List.of())) {
            List<FieldInfo> fields = new ArrayList<>();
            for (EventFields.Field f : e.fields()) {
                fields.add(new FieldInfo(f.name(), f.type().getSimpleName(), f.doc()));
            }
            events.add(new EventInfo(e.name(), e.record().getName(), e.doc(), List.copyOf(fields)));
        }
        return new TrackerInfo(t.name(), t.state().name().toLowerCase(), h.map(TrackerHandle::error).orElse(""),
                h.map(TrackerHandle::description).orElse(""), t.bundle().getSymbolicName(), t.bundle().getBundleId(),
                t.bundle().getVersion().toString(), t.bundle().getLocation(),
                h.map(x -> x.startTime().toMillis()).orElse(0L), List.copyOf(programs), List.copyOf(maps),
                List.copyOf(events));
    }

    String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(' ').append(version).append(" — ").append(state);
        if (startMs > 0 && state.equals("running")) {
            sb.append(" (started in ").append(startMs).append(" ms)");
        }
        sb.append('\n');
        if (!description.isEmpty()) {
            sb.append(description).append('\n');
        }
        if (!error.isEmpty()) {
            sb.append("error: ").append(Text.safeLines(error)).append('\n');
        }
        sb.append("bundle: ").append(bundle).append(" [").append(bundleId).append("] from ").append(location).append("\n\n");
        if (!programs.isEmpty()) {
            Table table = Table.of("PROGRAM", "TYPE", "SECTION", "ATTACHED");
            for (ProgramInfo p : programs) {
                table.row(p.name(), p.type(), p.section(), p.attached().isEmpty() ? "-" : String.join(", ", p.attached()));
            }
            sb.append("BPF programs\n").append(table).append('\n');
        }
        if (!maps.isEmpty()) {
            Table table = Table.of("MAP", "TYPE", "KEY", "VALUE", "ENTRIES", "PINNED");
            for (MapInfo m : maps) {
                table.row(m.name(), m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.pinned().isEmpty() ? "-" : m.pinned());
            }
            sb.append("BPF maps\n").append(table).append('\n');
        }
        if (programs.isEmpty() && maps.isEmpty()) {
            sb.append("no BPF loaded (the tracker is not running)\n\n");
        }
        for (EventInfo e : events) {
            sb.append("event ").append(e.type()).append(" (").append(e.record()).append(")");
            if (!e.description().isEmpty()) {
                sb.append(": ").append(e.description());
            }
            sb.append('\n');
            Table table = Table.of("  FIELD", "TYPE", "DESCRIPTION");
            for (FieldInfo f : e.fields()) {
                table.row("  " + f.name(), f.type(), f.description());
            }
            sb.append(table).append('\n');
        }
        if (events.isEmpty()) {
            sb.append("no event types declared (Tracker.events())\n");
        }
        return sb.toString().stripTrailing();
    }
}
