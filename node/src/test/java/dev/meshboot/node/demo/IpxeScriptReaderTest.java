package dev.meshboot.node.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.bootstrap.ipxe.IpxeScript;
import dev.meshboot.clusterconfig.Profile;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reader against the real renderer's scripts, so the two cannot drift apart unnoticed. */
class IpxeScriptReaderTest {
    private static final String ID = "ab".repeat(32);

    @Test
    void read_networkBoot_givesUrlsAndTheCommandLine() throws Exception {
        String script = IpxeScript.network(new IpxeScript.NetworkBoot("machine-01",
                List.of("127.0.0.11:8080", "127.0.0.12:8081"), ID, Profile.InstallMode.RAM,
                "http://127.0.0.11:8080/snapshots/" + ID + "/boot/vmlinuz",
                "http://127.0.0.11:8080/snapshots/" + ID + "/boot/initrd.img", Map.of("extras", "0")));
        IpxeScriptReader.NetworkBoot b = ((IpxeScriptReader.Boot) IpxeScriptReader.read(script)).boot();
        assertEquals("http://127.0.0.11:8080/snapshots/" + ID + "/boot/vmlinuz", b.kernelUrl());
        assertEquals("http://127.0.0.11:8080/snapshots/" + ID + "/boot/initrd.img", b.initrdUrl());
        assertEquals(Optional.of("127.0.0.11:8080,127.0.0.12:8081"), b.param("servers"));
        assertEquals(Optional.of(ID), b.param("snapshot"));
        assertEquals(Optional.of("ram"), b.param("mode"));
        assertEquals(Optional.of("0"), b.param("extras"));
        assertEquals(Optional.of("machine-01"), b.param("node"));
    }

    @Test
    void read_unavailable_isCannotBootWithItsMessage() throws Exception {
        IpxeScriptReader.Result r = IpxeScriptReader.read(IpxeScript.unavailable("machine-01", "no Channel document"));
        assertTrue(r instanceof IpxeScriptReader.CannotBoot c && c.message().contains("no Channel document"), r + "");
    }

    @Test
    void read_localDisk_isRefusedNamingTheLine() {
        IpxeScriptReader.ScriptException e = assertThrows(IpxeScriptReader.ScriptException.class,
                () -> IpxeScriptReader.read(IpxeScript.localDisk("machine-01", "http://x/BOOTX64.EFI")));
        assertTrue(e.getMessage().startsWith("line 3:"), e.getMessage());
    }

    @Test
    void read_notAnIpxeScript_isRefused() {
        assertThrows(IpxeScriptReader.ScriptException.class, () -> IpxeScriptReader.read("<html>not found</html>"));
        assertThrows(IpxeScriptReader.ScriptException.class,
                () -> IpxeScriptReader.read("#!ipxe\n" + "echo x\n".repeat(IpxeScriptReader.MAX_SCRIPT)));
    }

    @Test
    void read_kernelWithoutInitrd_isRefused() {
        assertThrows(IpxeScriptReader.ScriptException.class, () -> IpxeScriptReader.read("#!ipxe\nkernel http://k\nboot\n"));
    }
}
