package dev.apiary.tracker.namespace;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * A cgroup directory was created ({@code cgroup_mkdir}) or a task moved into one
 * ({@code cgroup_attach}), in any hierarchy: on a cgroup v1 + v2 hybrid system one container
 * start makes one of each per hierarchy. The header's task is the one that acted (runc);
 * the container field is that task's, which is not yet the new container's.
 *
 * @param type        "cgroup_mkdir" or "cgroup_attach"
 * @param path        the cgroup's path below its hierarchy's root ("/docker/ID")
 * @param hierarchy   the hierarchy id: 0 is cgroup v2 (unified), others are v1 ones (/proc/cgroups)
 * @param controllers the controllers of that hierarchy, "cpu,cpuacct"; "v2" for hierarchy 0; "" when unknown
 * @param cgroupId    the cgroup's id (its directory inode; for v2 what bpf_get_current_cgroup_id gives inside it)
 * @param containerId the container id the path names (Docker, containerd, CRI-O, podman patterns), or ""
 * @param taskPid     cgroup_attach: the moved process; 0 for mkdir
 * @param taskComm    cgroup_attach: its command name
 * @param threadGroup cgroup_attach: whether the whole process moved (cgroup.procs) rather than one thread
 */
public record CgroupEvent(EventHeader header, ContainerRef container,
        @FieldDoc("cgroup_mkdir or cgroup_attach") String type,
        @FieldDoc("the cgroup's path below its hierarchy's root") String path,
        @FieldDoc("hierarchy id, 0 = cgroup v2") int hierarchy,
        @FieldDoc("the hierarchy's controllers (v1), or v2") String controllers,
        @FieldDoc("the cgroup's id (directory inode)") long cgroupId,
        @FieldDoc("the container id the path names, or empty") String containerId,
        @FieldDoc("cgroup_attach: the process moved") int taskPid,
        @FieldDoc("cgroup_attach: its command name") String taskComm,
        @FieldDoc("cgroup_attach: whether the whole process moved") boolean threadGroup) implements Event {
}
