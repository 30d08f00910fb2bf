package dev.apiary.launcher;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Subscribes an embedding program to the runtime's events. The SDK's classes live inside the
 * framework, loaded by the apiary-sdk bundle, and the embedding program does not see them: so
 * the bridge implements {@code dev.apiary.sdk.EventSubscriber} with a proxy of that bundle's
 * interface, and copies each event into an {@link ApiaryEvent} through the SDK's public
 * accessors (looked up once per class).
 */
final class EventBridge {

    private static final String SDK = "dev.apiary.sdk";
    private static final String BPF = "dev.apiary.bpf";

    private final Class<?> subscriberType;
    private final Class<?> filterType;
    private final Method subscribe;
    private final Object events;
    private final Method toInstant;
    private final Method fieldsOf;
    private final Map<String, Method> accessors = new ConcurrentHashMap<>();

    private EventBridge(BundleContext context) throws ReflectiveOperationException, ApiaryException {
        Bundle sdk = bundle(context, SDK);
        Bundle bpf = bundle(context, BPF);
        subscriberType = sdk.loadClass(SDK + ".EventSubscriber");
        filterType = sdk.loadClass(SDK + ".EventFilter");
        Class<?> eventsType = sdk.loadClass(SDK + ".Events");
        ServiceReference<?> ref = context.getServiceReference(eventsType.getName());
        if (ref == null) {
            throw new ApiaryException("the runtime's event service is not there: is apiary-core active?");
        }
        events = context.getService(ref);
        subscribe = eventsType.getMethod("subscribe", String.class, subscriberType);
        toInstant = bpf.loadClass(BPF + ".BootClock").getMethod("toInstant", long.class);
        // The fields by their JSON keys (snake_case), as every other output names them.
        fieldsOf = sdk.loadClass(SDK + ".EventJson").getMethod("fields", sdk.loadClass(SDK + ".Event"));
    }

    static EventBridge open(BundleContext context) throws ApiaryException {
        try {
            return new EventBridge(context);
        } catch (ReflectiveOperationException e) {
            throw new ApiaryException("the runtime's SDK does not have what the launcher expects: " + e, e);
        }
    }

    private static Bundle bundle(BundleContext context, String symbolicName) throws ApiaryException {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                return b;
            }
        }
        throw new ApiaryException("bundle " + symbolicName + " is not active in the runtime");
    }

    EventSubscription subscribe(String name, ApiaryEvent.Filter filter, int capacity, Consumer<ApiaryEvent> consumer)
            throws ApiaryException {
        try {
            Object sdkFilter = filterType.getConstructor(String.class, String.class, String.class)
                    .newInstance(filter.tracker(), filter.type(), filter.container());
            InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
                case "onEvent" -> {
                    consumer.accept(copy(args[0]));
                    yield null;
                }
                case "filter" -> sdkFilter;
                case "queueCapacity" -> capacity;
                case "toString" -> "embedded subscriber " + name;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : null;
            };
            Object subscriber = Proxy.newProxyInstance(subscriberType.getClassLoader(), new Class<?>[] {subscriberType},
                    handler);
            Object subscription = subscribe.invoke(events, name, subscriber);
            Method close = subscription.getClass().getMethod("close");
            Method delivered = subscription.getClass().getMethod("delivered");
            Method dropped = subscription.getClass().getMethod("dropped");
            for (Method m : new Method[] {close, delivered, dropped}) {
                m.setAccessible(true);
            }
            return new EventSubscription() {
                @Override
                public long delivered() {
                    return (long) call(delivered, subscription);
                }

                @Override
                public long dropped() {
                    return (long) call(dropped, subscription);
                }

                @Override
                public void close() {
                    call(close, subscription);
                }
            };
        } catch (InvocationTargetException e) {
            throw new ApiaryException("cannot subscribe: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new ApiaryException("cannot subscribe: " + e, e);
        }
    }

    private ApiaryEvent copy(Object event) {
        Object header = get(event, "header");
        Object container = get(event, "container");
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) call(fieldsOf, null, event);
        Instant time = (Instant) call(toInstant, null, (long) get(header, "tsNanos"));
        return new ApiaryEvent(time, (String) get(event, "tracker"), (String) get(event, "type"),
                new ApiaryEvent.Container((String) get(container, "id"), (String) get(container, "name"),
                        (String) get(container, "image"), (String) get(container, "runtime")),
                (int) get(header, "pid"), (int) get(header, "tid"), (int) get(header, "ppid"), (int) get(header, "uid"),
                (String) get(header, "comm"), fields);
    }

    /** A public no-argument accessor of the object's class or its interfaces. */
    private Object get(Object target, String accessor) {
        Method m = accessors.computeIfAbsent(target.getClass().getName() + "#" + accessor, k -> {
            try {
                Method found = target.getClass().getMethod(accessor);
                found.setAccessible(true);
                return found;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(target.getClass() + " has no " + accessor + "()", e);
            }
        });
        return call(m, target);
    }

    private static Object call(Method m, Object target, Object... args) {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

}
