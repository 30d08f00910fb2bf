package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ContainerIdsTest {

    private static final String ID = "5aabff05ff484d4cf0741731d8e61e97f96d8424cd3712ab706311862135a3f6";

    @Test
    void runtimesPathsNameTheirContainers() {
        assertEquals(ID, ContainerIds.ofCgroupPath("/docker/" + ID));
        assertEquals(ID, ContainerIds.ofCgroupPath("/system.slice/docker-" + ID + ".scope"));
        assertEquals(ID, ContainerIds.ofCgroupPath("/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + ID + ".scope"));
        assertEquals(ID, ContainerIds.ofCgroupPath("/system.slice/containerd.service/kubepods-pod1.slice:cri-containerd:" + ID));
        assertEquals(ID, ContainerIds.ofCgroupPath("/docker/" + ID + "/init.scope"));
    }

    @Test
    void otherPathsNameNone() {
        assertEquals("", ContainerIds.ofCgroupPath("/"));
        assertEquals("", ContainerIds.ofCgroupPath("/docker"));
        assertEquals("", ContainerIds.ofCgroupPath("/user.slice/user-0.slice"));
        assertEquals("", ContainerIds.ofCgroupPath("/docker/" + ID + "0"));
    }
}
