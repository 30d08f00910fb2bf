package dev.apiary.sdk.testing;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A tracker's typed configuration ({@code @ObjectClassDefinition} annotation type) for a test,
 * as Declarative Services would hand it over: each method returns the value {@code values}
 * gives for its key, else its default. A key is the one DS and the metatype use
 * ({@code ring.kb} for {@code ring_kb()}: an underscore becomes a dot) or the method's name.
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
        java.util.Map<String, Object> byMethod = new java.util.HashMap<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            String method = null;
            for (Method m : type.getDeclaredMethods()) {
                if (m.getName().equals(e.getKey()) || key(m.getName()).equals(e.getKey())) {
                    method = m.getName();
                }
            }
            if (method == null) {
                throw new IllegalArgumentException(type.getName() + " has no setting " + e.getKey());
            }
            byMethod.put(method, e.getValue());
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
                    Object v = byMethod.get(method.getName());
                    return v != null ? v : defaultOf(method);
                }
            }
        });
        return type.cast(proxy);
    }

    /** The configuration key of a method, as DS maps it: {@code __} to {@code _}, {@code _} to {@code .}, {@code $} dropped. */
    public static String key(String methodName) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < methodName.length(); i++) {
            char c = methodName.charAt(i);
            if (c == '_') {
                if (i + 1 < methodName.length() && methodName.charAt(i + 1) == '_') {
                    sb.append('_');
                    i++;
                } else {
                    sb.append('.');
                }
            } else if (c == '$') {
                if (i + 1 < methodName.length() && methodName.charAt(i + 1) == '$') {
                    sb.append('$');
                    i++;
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Object defaultOf(Method m) {
        Object d = m.getDefaultValue();
        if (d == null) {
            throw new IllegalStateException(m + " has no default: give it a value");
        }
        return d;
    }
}
