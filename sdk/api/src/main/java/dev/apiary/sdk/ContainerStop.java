package dev.apiary.sdk;

import java.time.Instant;
import java.util.Objects;

/**
 * A container stopped: its init process ended, as its runtime said (Docker's {@code die}).
 *
 * @param container the container as Apiary knew it when it stopped (its pid may already be 0)
 * @param exitCode  the exit code its runtime reported (128 + n for a signal n, as Docker says), or -1 when unknown
 * @param at        when it stopped, by the runtime's clock
 */
public record ContainerStop(Container container, int exitCode, Instant at) {

    public ContainerStop {
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(at, "at");
    }
}
