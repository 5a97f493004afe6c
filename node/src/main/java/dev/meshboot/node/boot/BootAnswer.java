package dev.meshboot.node.boot;

import dev.meshboot.clusterconfig.Ipv4;
import java.util.List;
import java.util.Optional;

/**
 * What a machine gets: its address and network settings (absent in proxyDHCP, where the site's server gives them)
 * and what to boot.
 *
 * @param lease the address part; empty when only the boot part is answered
 * @param bootFile a TFTP file name or an HTTP URL; empty when the machine should not network-boot
 * @param httpBoot true when {@code bootFile} is a URL for UEFI HTTP boot (the reply must say "HTTPClient")
 */
public record BootAnswer(Optional<Lease> lease, Optional<String> bootFile, boolean httpBoot) {

    /** The address part of an answer (RFC 2132 options 1, 3, 6, 12, 15, 51). */
    public record Lease(Ipv4 address, Ipv4 netmask, Optional<Ipv4> router, List<Ipv4> dns, String hostname,
            String domain, int leaseSeconds) {
        public Lease {
            dns = List.copyOf(dns);
        }
    }
}
