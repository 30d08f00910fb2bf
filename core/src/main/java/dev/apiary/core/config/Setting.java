package dev.apiary.core.config;

/**
 * One setting of a tracker, as {@code tracker:config NAME} shows it. Immutable.
 *
 * @param key         its key in Configuration Admin and in {@code conf/<pid>.cfg}
 * @param type        "int", "long", "boolean", "string", ... (the metatype's type, lower case)
 * @param defaultValue what it is when nothing sets it
 * @param value       what it is now (the configured value, else the default)
 * @param configured  whether a configuration sets it (else it is the default)
 * @param allowed     its allowed values: "64..65536", "one of a, b", or "" for any of its type
 * @param description what it changes
 */
public record Setting(String key, String type, String defaultValue, String value, boolean configured, String allowed,
        String description) {}
