/**
 * The template language that turns a node's generic settings into OS-specific files: {@code {{ variable }}},
 * {@code {{#if variable}}...{{/if}}} and {@code {{#each list}}...{{.}}...{{/each}}}, nothing more (docs/templates.md).
 * Deliberately tiny: no expressions, no includes, no filters, so a template is checked completely when it is loaded
 * and renders the same bytes for the same values.
 */
package dev.meshboot.clusterconfig.template;
