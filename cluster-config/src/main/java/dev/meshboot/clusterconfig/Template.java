package dev.meshboot.clusterconfig;

/**
 * A {@code Template} document: one file that nodes of an OS family get in their config archive. It adds a file to
 * the family's built-in ones, or replaces the built-in with the same path (docs/templates.md). The body was parsed
 * and every variable checked when the document was loaded.
 *
 * @param path relative to the node's root, e.g. {@code etc/motd}
 * @param mode permission bits, e.g. {@code 0644}
 */
public record Template(String name, Profile.OsFamily os, String path, int mode, String body) {}
