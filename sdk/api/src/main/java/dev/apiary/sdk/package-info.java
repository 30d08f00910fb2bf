/**
 * The API Apiary's trackers and sinks are written against.
 *
 * <ul>
 * <li>A tracker is a {@link dev.apiary.sdk.Tracker} service in its own bundle. Core calls
 *     {@link dev.apiary.sdk.Tracker#start} with a {@link dev.apiary.sdk.TrackerContext} through
 *     which the tracker loads the BPF object it carries; stopping the bundle frees all of it.</li>
 * <li>Every event is an immutable {@link dev.apiary.sdk.Event}: the kernel's
 *     {@link dev.apiary.bpf.EventHeader}, the {@link dev.apiary.sdk.ContainerRef} it came from,
 *     and the tracker's own fields.</li>
 * <li>Sinks register {@link dev.apiary.sdk.EventSubscriber} services (whiteboard) or call
 *     {@link dev.apiary.sdk.Events#subscribe}; each gets a bounded queue of its own.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package dev.apiary.sdk;
