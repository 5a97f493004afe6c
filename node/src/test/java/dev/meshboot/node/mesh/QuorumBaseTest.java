package dev.meshboot.node.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuorumBaseTest {
    @TempDir
    Path dir;

    @Test
    void theLargestViewSurvivesARestart_soALoneRestartedMemberIsNoQuorum() throws Exception {
        Path f = dir.resolve("quorum-base");
        QuorumBase base = QuorumBase.open(f);
        assertEquals(1, base.size());
        base.observe(5);
        base.observe(2);
        assertEquals(5, base.size());
        QuorumBase again = QuorumBase.open(f);
        assertEquals(5, again.size(), "forgotten across the restart");
        assertEquals(5, again.observe(1));
    }

    @Test
    void anOperatorLowersIt_butNeverBelowTheCurrentView_andADamagedFileCountsAsUnknown() throws Exception {
        Path f = dir.resolve("quorum-base");
        QuorumBase base = QuorumBase.open(f);
        base.observe(7);
        base.lower(2, 3);
        assertEquals(3, QuorumBase.open(f).size());
        Files.writeString(f, "garbage");
        assertEquals(1, QuorumBase.open(f).size());
    }
}
