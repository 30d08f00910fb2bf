/**
 * Apiary's core: the runtime component that loads trackers' BPF, dispatches their events,
 * resolves containers, and offers the {@code apiary:} and {@code tracker:} shell commands.
 * Nothing here is API; trackers and sinks use {@code dev.apiary.sdk}.
 */
package dev.apiary.core;
