package dev.apiary.core.tracker;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * The little of an OSGi framework that {@link TrackerManager} and its {@code ServiceTracker}
 * use, in memory, from {@link Proxy} stand-ins: installed bundles with headers and class-path
 * entries, registered services, service and bundle events. A method nobody answers here throws
 * {@link UnsupportedOperationException} naming it, so that a new call shows up as a failure
 * rather than a silent null.
 *
 * <p>Events are delivered on the caller's thread before {@link #register}, {@link #unregister}
 * and {@link #uninstall} return, as Felix delivers them synchronously. Every service is taken
 * for a {@code dev.apiary.sdk.Tracker}. One test thread at a time.
 */
final class FakeFramework {

    private final List<ServiceListener> serviceListeners = new CopyOnWriteArrayList<>();
    private final List<BundleListener> bundleListeners = new CopyOnWriteArrayList<>();
    private final Map<Long, Bundle> bundles = new LinkedHashMap<>();
    private final Map<ServiceReference<?>, Object> services = new LinkedHashMap<>();
    private final List<ServiceReference<?>> released = new ArrayList<>();
    private long nextBundleId = 1;
    private long nextServiceId = 1;

    /** The context core's bundle would have. */
    final BundleContext context = proxy(BundleContext.class, "core's context", (method, args) -> switch (method) {
        case "createFilter" -> FrameworkUtil.createFilter((String) args[0]);
        case "addServiceListener" -> serviceListeners.add((ServiceListener) args[0]);
        case "removeServiceListener" -> serviceListeners.remove((ServiceListener) args[0]);
        case "addBundleListener" -> bundleListeners.add((BundleListener) args[0]);
        case "removeBundleListener" -> bundleListeners.remove((BundleListener) args[0]);
        case "getServiceReferences", "getAllServiceReferences" -> args[0] instanceof Class<?>
                ? List.copyOf(services.keySet()) // the typed overload answers a collection, never null
                : services.isEmpty() ? null : services.keySet().toArray(ServiceReference[]::new);
        case "getService" -> services.get((ServiceReference<?>) args[0]);
        case "ungetService" -> released.add((ServiceReference<?>) args[0]);
        case "getBundles" -> bundles.values().toArray(Bundle[]::new);
        default -> throw new UnsupportedOperationException("BundleContext." + method);
    });

    /**
     * Installs a bundle whose entries are this class path's resources.
     *
     * @param trackerHeader its {@value TrackerManager#TRACKER_HEADER} header, or null for none
     */
    Bundle install(String symbolicName, String trackerHeader) {
        long id = nextBundleId++;
        Dictionary<String, String> headers = new Hashtable<>();
        headers.put(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
        if (trackerHeader != null) {
            headers.put(TrackerManager.TRACKER_HEADER, trackerHeader);
        }
        Bundle bundle = proxy(Bundle.class, symbolicName + " [" + id + "]", (method, args) -> switch (method) {
            case "getBundleId" -> id;
            case "getSymbolicName" -> symbolicName;
            case "getHeaders" -> headers;
            case "getEntry" -> FakeFramework.class.getResource((String) args[0]);
            default -> throw new UnsupportedOperationException("Bundle." + method);
        });
        bundles.put(id, bundle);
        return bundle;
    }

    /** Uninstalls a bundle (register nothing of it after): gone from getBundles(), then the event. */
    void uninstall(Bundle bundle) {
        bundles.remove(bundle.getBundleId());
        bundleEvent(new BundleEvent(BundleEvent.UNINSTALLED, bundle));
    }

    /** Registers a service of a bundle, as its activation would. */
    @SuppressWarnings("unchecked")
    <S> ServiceReference<S> register(Bundle bundle, S service) {
        long id = nextServiceId++;
        Map<String, Object> properties = Map.of(Constants.OBJECTCLASS, new String[] {"dev.apiary.sdk.Tracker"},
                Constants.SERVICE_ID, id);
        ServiceReference<S>[] self = new ServiceReference[1];
        self[0] = proxy(ServiceReference.class, "service " + id + " of " + bundle, (method, args) -> switch (method) {
            case "getBundle" -> services.containsKey(self[0]) ? bundle : null;
            case "getProperty" -> properties.get((String) args[0]);
            case "getPropertyKeys" -> properties.keySet().toArray(String[]::new);
            // Ranking is equal: the older service (lower id) ranks higher.
            case "compareTo" -> Long.compare((Long) ((ServiceReference<?>) args[0]).getProperty(Constants.SERVICE_ID), id);
            default -> throw new UnsupportedOperationException("ServiceReference." + method);
        });
        services.put(self[0], service);
        serviceEvent(new ServiceEvent(ServiceEvent.REGISTERED, self[0]));
        return self[0];
    }

    /** Unregisters a service, as its bundle's stop would: the event comes while it is still registered. */
    void unregister(ServiceReference<?> reference) {
        serviceEvent(new ServiceEvent(ServiceEvent.UNREGISTERING, reference));
        services.remove(reference);
    }

    /** The services core released with ungetService, in order. */
    List<ServiceReference<?>> released() {
        return List.copyOf(released);
    }

    /** How many service and bundle listeners are registered now. */
    int listeners() {
        return serviceListeners.size() + bundleListeners.size();
    }

    private void serviceEvent(ServiceEvent event) {
        for (ServiceListener l : serviceListeners) {
            l.serviceChanged(event);
        }
    }

    private void bundleEvent(BundleEvent event) {
        for (BundleListener l : bundleListeners) {
            l.bundleChanged(event);
        }
    }

    /** What a stand-in answers, by method name. */
    private interface Answers {
        Object answer(String method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, String label, Answers answers) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> label;
            default -> answers.answer(method.getName(), args == null ? new Object[0] : args);
        };
        return type.cast(Proxy.newProxyInstance(FakeFramework.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
