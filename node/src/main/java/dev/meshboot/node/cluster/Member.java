package dev.meshboot.node.cluster;

import java.util.Objects;
import org.jgroups.Address;

/**
 * A member of the current view: its name (what the agent was configured as, unique in a healthy cluster) and an
 * opaque handle to send to it. Two incarnations of one agent (before and after a restart) are different members
 * with the same name.
 */
public final class Member {
    private final String name;
    private final Address address;

    Member(Address address) {
        this.address = Objects.requireNonNull(address);
        this.name = address.toString();
    }

    public String name() {
        return name;
    }

    Address address() {
        return address;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Member m && address.equals(m.address);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
