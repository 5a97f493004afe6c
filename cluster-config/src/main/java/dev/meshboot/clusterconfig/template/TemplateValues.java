package dev.meshboot.clusterconfig.template;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values one render uses. A text variable that is absent (a network without a gateway) is different from one
 * that is empty: using an absent one outside {@code {{#if}}} is a render error, never a silent blank.
 */
public record TemplateValues(Map<String, String> text, Map<String, List<String>> lists) {
    public TemplateValues {
        text = java.util.Collections.unmodifiableMap(new TreeMap<>(text));
        TreeMap<String, List<String>> copy = new TreeMap<>();
        lists.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        lists = java.util.Collections.unmodifiableMap(copy);
    }

    /** True when {@code {{#if name}}} takes its body: text present and not empty, or a list with an item. */
    boolean isSet(String name) {
        String t = text.get(name);
        List<String> l = lists.get(name);
        return (t != null && !t.isEmpty()) || (l != null && !l.isEmpty());
    }
}
