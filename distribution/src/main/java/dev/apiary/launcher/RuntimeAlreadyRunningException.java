package dev.apiary.launcher;

import java.nio.file.Path;

/** Another Apiary runtime answers on the control socket this one was to listen on. */
public final class RuntimeAlreadyRunningException extends ApiaryException {
    public RuntimeAlreadyRunningException(Path socket) {
        super("another Apiary runtime is already running (it answers on " + socket + "): stop it first, or talk to it with"
                + " apiary -c 'COMMANDS'");
    }
}
