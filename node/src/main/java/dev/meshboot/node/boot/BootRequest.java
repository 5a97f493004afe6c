package dev.meshboot.node.boot;

import dev.meshboot.clusterconfig.Mac;
import java.util.List;
import java.util.Optional;

/**
 * What a booting machine says about itself in its DHCP request, reduced to what a boot decision needs.
 *
 * @param network the network the request arrived on (the receiving interface's)
 * @param architectures option 93 (RFC 4578 section 2.1): 0 BIOS, 6 UEFI ia32, 7 and 9 UEFI x86-64, 11 UEFI arm64
 * @param userClasses option 77: "iPXE" once iPXE is running
 * @param vendorClass option 60: "PXEClient:..." from PXE firmware, "HTTPClient:..." from UEFI HTTP boot
 */
public record BootRequest(Mac mac, String network, List<Integer> architectures, List<String> userClasses,
        Optional<String> vendorClass) {
    public BootRequest {
        architectures = List.copyOf(architectures);
        userClasses = List.copyOf(userClasses);
    }

    public boolean isIpxe() {
        return userClasses.contains("iPXE");
    }

    public boolean isHttpClient() {
        return vendorClass.filter(v -> v.startsWith("HTTPClient")).isPresent();
    }

    public boolean isPxeClient() {
        return vendorClass.filter(v -> v.startsWith("PXEClient")).isPresent() || isHttpClient() || isIpxe();
    }
}
