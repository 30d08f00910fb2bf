package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CgroupPathsTest {

    private static final String ID = "10f8d3e2db26fe0b08a257823d2965f4603eed902432c257d6a8d3b24442c629";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /docker/ID                                                                   | docker     | /docker/ID
            /system.slice/docker-ID.scope                                                | docker     | /system.slice/docker-ID.scope
            /actions_job/ID                                                              | docker     | /actions_job/ID
            /kubepods/besteffort/pod123/docker-ID.scope                                  | docker     | /kubepods/besteffort/pod123/docker-ID.scope
            /system.slice/containerd.service/kubepods-burstable-pod1.slice:cri-containerd:ID | containerd | /system.slice/containerd.service/kubepods-burstable-pod1.slice:cri-containerd:ID
            /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podb13213a6_d47e_4bd1_bc00_f175d1ad3b6e.slice/cri-containerd-ID.scope | containerd | /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podb13213a6_d47e_4bd1_bc00_f175d1ad3b6e.slice/cri-containerd-ID.scope
            /kubepods/burstable/pod7e44ee88-1e65-4a16-8cdf-9a90c819180e/ID               | containerd | /kubepods/burstable/pod7e44ee88-1e65-4a16-8cdf-9a90c819180e/ID
            /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/crio-ID.scope | cri-o | /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/crio-ID.scope
            /kubepods/besteffort/pod123/some:crio:ID                                     | cri-o      | /kubepods/besteffort/pod123/some:crio:ID
            /machine.slice/libpod-ID.scope                                               | podman     | /machine.slice/libpod-ID.scope
            /machine.slice/libpod-ID.scope/container                                     | podman     | /machine.slice/libpod-ID.scope
            /user.slice/user-1000.slice/user@1000.service/user.slice/libpod-ID.scope/container | podman | /user.slice/user-1000.slice/user@1000.service/user.slice/libpod-ID.scope
            /libpod_parent/ID                                                            | podman     | /libpod_parent/ID
            /system.slice/nerdctl-ID.scope                                               | containerd | /system.slice/nerdctl-ID.scope
            /system.slice/runc-ID.scope                                                  | runc       | /system.slice/runc-ID.scope
            /ID                                                                          | runc       | /ID
            /docker/ID/init.scope                                                        | docker     | /docker/ID
            /kubepods/besteffort/pod123/docker-ID.scope/system.slice                     | docker     | /kubepods/besteffort/pod123/docker-ID.scope
            """)
    void namesTheContainer(String path, String runtime, String containerPath) {
        Optional<ContainerCgroup> c = CgroupPaths.parse(path.replace("ID", ID));
        assertTrue(c.isPresent(), path);
        assertEquals(new ContainerCgroup(runtime, ID, containerPath.replace("ID", ID)), c.get());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/", "", "/user.slice/user-1000.slice", "/system.slice/docker.service",
            "/system.slice/containerd.service", "/machine.slice/libpod-conmon-ID.scope",
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podb13213a6_d47e_4bd1_bc00_f175d1ad3b6e.slice/crio-conmon-ID.scope",
            "/kubepods/burstable/pod7e44ee88-1e65-4a16-8cdf-9a90c819180e", "/docker", "/init.scope",
            "/system.slice/docker-notanid.scope", "/docker/10f8d3e2db26"})
    void theHostIsNoContainer(String path) {
        assertEquals(Optional.empty(), CgroupPaths.parse(path.replace("ID", ID)));
    }

    @Test
    void shortIdsNeedAPrefixThatSaysContainer() {
        assertEquals(Optional.of(new ContainerCgroup("podman", "abc123def456", "/machine.slice/libpod-abc123def456.scope")),
                CgroupPaths.parse("/machine.slice/libpod-abc123def456.scope"));
    }
}
