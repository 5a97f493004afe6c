package dev.meshboot.bootstrap.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelModulesTest {
    // Shaped like Debian 6.1's files: virtio_net's deps are listed so that the last loads first.
    private static final String DEP = """
            kernel/drivers/net/ethernet/intel/e1000/e1000.ko:
            kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
            kernel/net/core/failover.ko:
            kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_ring.ko:
            kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
            kernel/drivers/virtio/virtio_pci_modern_dev.ko:
            kernel/fs/nls/nls_iso8859-1.ko.zst:
            """;
    private static final String ALIAS = """
            # Aliases extracted from modules themselves.
            alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000
            alias virtio:d00000001v* virtio_net
            alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci
            alias fs-nls-iso8859-1 nls_iso8859_1
            alias pci:v000015B3d* mlx5_core
            """;

    private final KernelModules modules = KernelModules.parse(DEP, ALIAS, "kernel/fs/ext4/ext4.ko\n");

    @Test
    void aModule_comesWithItsDependencies_lastListedLoadedFirst_eachOnce() {
        KernelModules.Selection s = modules.select(List.of("virtio_net"));
        assertEquals(List.of("kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
                "kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko"),
                s.modules().getFirst().loadOrder());
    }

    @Test
    void aliases_areKeptOnlyForShippedModules_andNamesAreNormalised() {
        KernelModules.Selection s = modules.select(List.of("e1000", "virtio-pci", "nls_iso8859-1"));
        assertEquals(List.of("e1000", "virtio_pci", "nls_iso8859_1"),
                s.modules().stream().map(KernelModules.Loadable::name).toList());
        assertEquals(Set.of("e1000", "virtio_pci", "nls_iso8859_1"),
                Set.copyOf(s.aliases().stream().map(KernelModules.Alias::module).toList()));
        // e1000 (1) + virtio_pci and its four (5) + nls (1)
        assertEquals(7, s.files().size(), "" + s.files());
    }

    @Test
    void builtInAndMissingModules_areReportedApart() {
        KernelModules.Selection s = modules.select(List.of("ext4", "ice", "e1000"));
        assertEquals(Set.of("ext4"), s.builtIn());
        assertEquals(Set.of("ice"), s.missing());
        assertEquals(1, s.modules().size());
    }

    @Test
    void nameOf_stripsDirectoryAndCompression() {
        assertEquals("nls_iso8859_1", KernelModules.nameOf("kernel/fs/nls/nls_iso8859-1.ko.zst"));
        assertEquals("e1000", KernelModules.nameOf("e1000.ko"));
    }
}
