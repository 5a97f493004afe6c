package dev.meshboot.node.cluster;

import java.util.List;
import java.util.Optional;

/**
 * One view of the cluster as this member installed it.
 *
 * @param id the view's sequence number, increasing with every change
 * @param members in JGroups' order: the first is the coordinator (no vote; DESIGN.md)
 * @param self this member
 * @param merge true when the view joined subgroups that had been apart (a healed partition): both sides may hold
 *     writes the other lacks
 * @param previous the members of the view before this one, empty for this member's first view
 */
public record Membership(long id, List<Member> members, Member self, boolean merge, List<Member> previous) {
    public Membership {
        members = List.copyOf(members);
        previous = List.copyOf(previous);
    }

    public Member coordinator() {
        return members.getFirst();
    }

    public boolean isCoordinator() {
        return coordinator().equals(self);
    }

    /** The member after this one in view order, wrapping around; empty when alone. */
    public Optional<Member> successor() {
        int i = members.indexOf(self);
        return members.size() < 2 || i < 0 ? Optional.empty() : Optional.of(members.get((i + 1) % members.size()));
    }

    public List<String> names() {
        return members.stream().map(Member::name).toList();
    }
}
