package dev.apiary.sdk.testing;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A tracker's typed configuration ({@code @ObjectClassDefinition} annotation type) for a test,
 * as Declarative Services would hand it over: each method returns the value {@code values}
 * gives for its key (the method name, as DS maps it), else its default.
 */
public final class TestConfig {

    private TestConfig() {
    }

    /** The defaults of {@code type}. */
    public static <A extends Annotation> A defaults(Class<A> type) {
        return of(type, Map.of());
    }

    /** {@code type} with {@code values} by key over its defaults. */
    public static <A extends Annotation> A of(Class<A> type, Map<String, ?> values) {
        for (String key : values.keySet()) {
            try {
                type.getMethod(key);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(type.getName() + " has no setting " + key);
            }
        }
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            switch (method.getName()) {
                case "annotationType" -> {
                    return type;
                }
                case "toString" -> {
                    return type.getSimpleName() + values;
                }
                case "hashCode" -> {
                    return values.hashCode();
                }
                case "equals" -> {
                    return self == args[0];
                }
                default -> {
                    Object v = values.get(method.getName());
                    return v != null ? v : defaultOf(method);
                }
            }
        });
        return type.cast(proxy);
    }

    private static Object defaultOf(Method m) {
        Object d = m.getDefaultValue();
        if (d == null) {
            throw new IllegalStateException(m + " has no default: give it a value");
        }
        return d;
    }
}
