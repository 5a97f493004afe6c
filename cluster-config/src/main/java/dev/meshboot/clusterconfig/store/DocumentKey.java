package dev.meshboot.clusterconfig.store;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * What a version is a version of: a document's kind and name. Both are restricted to characters that are safe as a
 * file name, because each document is persisted as {@code KIND.NAME} ({@link DocumentDirectory}); kinds have no dot,
 * so the split is unambiguous.
 */
public record DocumentKey(String kind, String name) implements Comparable<DocumentKey> {
    private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]{0,31}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    private static final Comparator<DocumentKey> ORDER = Comparator.comparing(DocumentKey::kind)
            .thenComparing(DocumentKey::name);

    public DocumentKey {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("a kind is a capitalised word of up to 32 letters or digits: " + kind);
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a document name is 1-128 letters, digits or ._:@- : " + name);
        }
    }

    /** The file name that holds this document. */
    String fileName() {
        return kind + "." + name;
    }

    static DocumentKey ofFileName(String file) {
        int dot = file.indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("not a document file name (KIND.NAME): " + file);
        }
        return new DocumentKey(file.substring(0, dot), file.substring(dot + 1));
    }

    @Override
    public int compareTo(DocumentKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return kind + "/" + name;
    }
}
