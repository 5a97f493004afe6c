package dev.meshboot.clusterconfig;

/**
 * One mistake in the cluster's documents: where it is, what is wrong and why, so an operator can fix it without
 * reading code.
 *
 * @param file the file the document came from
 * @param field the document and field, e.g. {@code Node node-01 spec.mac}
 * @param value the offending value as written ("" when the field is missing)
 * @param reason why it is refused
 */
public record ConfigError(String file, String field, String value, String reason) {
    @Override
    public String toString() {
        return file + ": " + field + (value.isEmpty() ? "" : " = '" + value + "'") + ": " + reason;
    }
}
