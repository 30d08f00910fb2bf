package dev.apiary.launcher;

import java.nio.file.Path;

/** No Apiary runtime listens on the control socket (no socket file, or a stale one). */
public final class NoRuntimeException extends ApiaryException {
    public NoRuntimeException(Path socket) {
        super("no Apiary runtime is listening on " + socket);
    }
}
