package dev.meshboot.node.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.jgroups.Address;
import org.jgroups.protocols.dns.DNSResolver;
import org.jgroups.stack.IpAddress;

/**
 * DNS_PING's resolver, replacing JGroups' own: JGroups asks a configured DNS server for the SRV records but resolves
 * their target names through the system's resolver, so with {@code cluster.dns.server} set the targets went
 * unresolved (found by {@code DnsDiscoveryIT}). Here every question goes to the same server, or every question to
 * the system's resolver when none is set. SRV records (RFC 2782) give target and port; A records give addresses,
 * and the member's own cluster port is used for each.
 */
final class DnsPeers implements DNSResolver {
    private static final System.Logger LOG = System.getLogger(DnsPeers.class.getName());
    private final DirContext dns;

    /** @param server {@code host:port} of the DNS server; empty for the system's resolver */
    DnsPeers(Optional<String> server) throws NamingException {
        Properties env = new Properties();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, server.map(s -> "dns://" + s).orElse("dns:"));
        env.put("com.sun.jndi.dns.timeout.initial", "1000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        this.dns = new InitialDirContext(env);
    }

    @Override
    public List<Address> resolveIps(String query, DNSRecordType type) {
        List<Address> out = new ArrayList<>();
        try {
            if (type == DNSRecordType.SRV) {
                for (String record : values(query, "SRV")) {
                    // priority weight port target, e.g. "0 0 7800 node-01.prov.example.net."
                    String[] f = record.trim().split("\\s+");
                    if (f.length == 4) {
                        int port = Integer.parseInt(f[2]);
                        for (InetAddress a : addresses(f[3].replaceFirst("\\.$", ""))) {
                            out.add(new IpAddress(a, port));
                        }
                    }
                }
            } else {
                for (InetAddress a : addresses(query)) {
                    out.add(new IpAddress(a, 0)); // port 0: DNS_PING uses this member's own cluster port
                }
            }
        } catch (NamingException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "no cluster peers from DNS name {0}: {1}", query, e.toString());
        }
        return out;
    }

    /** A literal address as itself, a name by its A records from the same server. */
    private List<InetAddress> addresses(String name) throws NamingException {
        List<InetAddress> out = new ArrayList<>();
        if (name.matches("[0-9.]+")) {
            try {
                out.add(InetAddress.getByName(name));
            } catch (UnknownHostException e) {
                return out;
            }
            return out;
        }
        for (String a : values(name, "A")) {
            try {
                out.add(InetAddress.getByName(a.trim()));
            } catch (UnknownHostException e) {
                // not an address: skip the record
            }
        }
        return out;
    }

    private List<String> values(String name, String type) throws NamingException {
        List<String> out = new ArrayList<>();
        try {
            Attribute attribute = dns.getAttributes(name, new String[] {type}).get(type);
            if (attribute != null) {
                NamingEnumeration<?> all = attribute.getAll();
                while (all.hasMore()) {
                    out.add(String.valueOf(all.next()));
                }
            }
        } catch (javax.naming.NameNotFoundException e) {
            return out; // no such name (yet): no peers from it
        }
        return out;
    }

    @Override
    public void close() {
        try {
            dns.close();
        } catch (NamingException e) {
            // nothing held that matters
        }
    }
}
