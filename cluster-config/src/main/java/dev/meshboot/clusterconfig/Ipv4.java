package dev.meshboot.clusterconfig;

/** An IPv4 address as its 32 bits, parsed strictly (four decimal octets, no leading zeros beyond "0"). */
public record Ipv4(int bits) {
    public static Ipv4 parse(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (expected four dot-separated octets)");
        }
        int bits = 0;
        for (String p : parts) {
            if (!p.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(p) > 255) {
                throw new IllegalArgumentException("not an IPv4 address (octet '" + p + "' is not 0-255)");
            }
            bits = (bits << 8) | Integer.parseInt(p);
        }
        return new Ipv4(bits);
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }

    /** A CIDR subnet: the network address and the prefix length. */
    public record Subnet(Ipv4 network, int prefix) {
        public static Subnet parse(String s) {
            int slash = s.indexOf('/');
            if (slash < 0 || !s.substring(slash + 1).matches("[0-9]{1,2}")) {
                throw new IllegalArgumentException("not a subnet in CIDR form, like 10.0.0.0/24");
            }
            int prefix = Integer.parseInt(s.substring(slash + 1));
            if (prefix < 8 || prefix > 30) {
                throw new IllegalArgumentException("prefix /" + prefix + " is outside /8../30");
            }
            Ipv4 net = Ipv4.parse(s.substring(0, slash));
            if ((net.bits() & ~mask(prefix)) != 0) {
                throw new IllegalArgumentException("host bits are set; the network address is "
                        + new Ipv4(net.bits() & mask(prefix)) + "/" + prefix);
            }
            return new Subnet(net, prefix);
        }

        static int mask(int prefix) {
            return prefix == 0 ? 0 : -1 << (32 - prefix);
        }

        public Ipv4 netmask() {
            return new Ipv4(mask(prefix));
        }

        public Ipv4 broadcast() {
            return new Ipv4(network.bits() | ~mask(prefix));
        }

        /** True for a usable host address: inside, and neither the network nor the broadcast address. */
        public boolean hasHost(Ipv4 a) {
            return (a.bits() & mask(prefix)) == network.bits() && a.bits() != network.bits()
                    && a.bits() != broadcast().bits();
        }

        @Override
        public String toString() {
            return network + "/" + prefix;
        }
    }
}
