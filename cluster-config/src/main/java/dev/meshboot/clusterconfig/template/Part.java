package dev.meshboot.clusterconfig.template;

import java.util.List;

/** One piece of a parsed template. Lines are 1-based lines of the template's body, kept for error messages. */
sealed interface Part {
    /** Copied as is. */
    record Text(String text) implements Part {}

    /** {@code {{ name }}}: a text variable. */
    record Variable(String name, int line) implements Part {}

    /** {@code {{.}}}: the current item of the innermost {@code each}. */
    record Item(int line) implements Part {}

    /** {@code {{#if name}} body {{/if}}}. */
    record If(String name, int line, List<Part> body) implements Part {}

    /** {@code {{#between}} body {{/between}}}, inside an {@code each}: after every item but the last (a separator). */
    record Between(List<Part> body) implements Part {}

    /** {@code {{#each name}} body {{/each}}}: the body once per item of a list variable. */
    record Each(String name, int line, List<Part> body) implements Part {}
}
