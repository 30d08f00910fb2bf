/**
 * The command kit: what every Apiary shell command is written with, so that they all name
 * containers, read options, lay out tables and print strings the same way.
 *
 * <ul>
 * <li>{@link dev.apiary.sdk.command.Text} makes a container-controlled string safe to print:
 *     control characters become visible escapes, so a process name cannot drive the terminal.</li>
 * <li>{@link dev.apiary.sdk.command.Table} lays out rows in columns with widths and truncation,
 *     every cell through {@code Text}; the same columns serve a snapshot and a live tail.</li>
 * <li>{@link dev.apiary.sdk.command.ContainerWord} turns the optional container word of a
 *     command (a name, an id prefix, or {@code host}) into a {@link dev.apiary.sdk.command.ContainerWord.Choice}.</li>
 * <li>{@link dev.apiary.sdk.command.Options} reads {@code --count} and {@code --interval}
 *     values with one error text for a bad value.</li>
 * </ul>
 *
 * See docs/commands.md for the conventions a command follows.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.apiary.sdk.command;
