package dev.meshboot.clusterconfig.template;

/** A variable is either one piece of text or a list of them; each is used in its own kind of tag. */
public enum VariableKind {
    /** Substituted by {@code {{ name }}}. */
    TEXT,
    /**
     * Text that some nodes lack (a network without a gateway). It may only be used inside {@code {{#if name}}}, which
     * the parser checks, so a template that loads can render for every node.
     */
    OPTIONAL_TEXT,
    /** Walked by {@code {{#each name}}}, its items substituted by {@code {{.}}}. */
    LIST
}
