package dev.apiary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessCredentialsTest {

    private static final String USER = """
            Name:\tjava
            Uid:\t1000\t1000\t1000\t1000
            Gid:\t1000\t1000\t1000\t1000
            CapInh:\t0000000000000000
            CapPrm:\t0000000000000000
            CapEff:\t0000000000000000
            """;

    @Test
    void parsesEffectiveUidAndCapabilities() {
        ProcessCredentials root = ProcessCredentials.parse("Uid:\t1000\t0\t0\t0\nCapEff:\t000001ffffffffff\n");
        assertEquals(0, root.effectiveUid());
        assertTrue(root.isRoot());
        assertTrue(root.has(ProcessCredentials.CAP_BPF));
        ProcessCredentials user = ProcessCredentials.parse(USER);
        assertEquals(1000, user.effectiveUid());
        assertFalse(user.has(ProcessCredentials.CAP_SYS_ADMIN));
    }

    @Test
    void aNonRootUserIsToldWhatIsMissing() {
        Optional<String> problem = Prerequisites.privilegeProblem(ProcessCredentials.parse(USER));
        assertEquals(Optional.of("not running as root (effective uid 1000) and without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN,"
                + " CAP_SYS_ADMIN: run it as root, e.g. sudo bin/apiary"), problem);
    }

    @Test
    void capabilitiesStandInForRoot() {
        long caps = (1L << ProcessCredentials.CAP_BPF) | (1L << ProcessCredentials.CAP_PERFMON)
                | (1L << ProcessCredentials.CAP_NET_ADMIN) | (1L << ProcessCredentials.CAP_SYS_ADMIN);
        assertEquals(Optional.empty(), Prerequisites.privilegeProblem(new ProcessCredentials(1000, caps)));
        assertEquals(Optional.of("not running as root (effective uid 1000) and without CAP_PERFMON: run it as root, e.g. sudo bin/apiary"),
                Prerequisites.privilegeProblem(new ProcessCredentials(1000, caps & ~(1L << ProcessCredentials.CAP_PERFMON))));
    }

    @Test
    void malformedStatusIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ProcessCredentials.parse("Name:\tx\n"));
    }
}
