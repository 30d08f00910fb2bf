package dev.apiary.tracker.namespace;

import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ns:set-limit CONTAINER memory|cpu|pids VALUE}: Gogo finds commands by method name and
 * a Java method cannot be named "set-limit", so this one is a Gogo {@link Function} that hands
 * its arguments to {@link NamespaceCommands#setlimit} (also reachable as {@code ns:setlimit},
 * with its help text).
 */
@Component(service = Function.class, property = {
    "osgi.command.scope=ns",
    "osgi.command.function=set-limit"})
public final class SetLimitFunction implements Function {

    private final NamespaceCommands commands;

    @Activate
    public SetLimitFunction(@Reference(name = "commands") NamespaceCommands commands) {
        this.commands = commands;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        return commands.setLimitFromArguments(arguments);
    }
}
