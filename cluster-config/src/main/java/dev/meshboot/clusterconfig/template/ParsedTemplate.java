package dev.meshboot.clusterconfig.template;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A template body, parsed and checked against the variables it may use. Rendering is a pure function of the
 * values: no clock, no locale, no environment.
 */
public final class ParsedTemplate {
    private final String name;
    private final List<Part> parts;

    private ParsedTemplate(String name, List<Part> parts) {
        this.name = name;
        this.parts = parts;
    }

    /**
     * @param name the template's name, for messages
     * @param known the variables it may use; any other name is refused here, with its line
     */
    public static ParsedTemplate parse(String name, String body, Map<String, VariableKind> known)
            throws TemplateException {
        return new ParsedTemplate(name, new TemplateParser(name, body, known).parse());
    }

    public String name() {
        return name;
    }

    /**
     * The text. A text variable absent from {@code values} (one the parser could not know would be absent) is an
     * error naming its line.
     */
    public String render(TemplateValues values) throws TemplateException {
        StringBuilder out = new StringBuilder();
        render(parts, values, new ArrayDeque<>(), new ArrayDeque<>(), out);
        return out.toString();
    }

    /** {@code items} holds the current item of each open {@code each}; {@code last} whether it is the last one. */
    private void render(List<Part> parts, TemplateValues values, Deque<String> items, Deque<Boolean> last,
            StringBuilder out) throws TemplateException {
        for (Part p : parts) {
            switch (p) {
                case Part.Text t -> out.append(t.text());
                case Part.Variable v -> {
                    String value = values.text().get(v.name());
                    if (value == null) {
                        throw new TemplateException(name, v.line(), v.name(),
                                "has no value for this node; guard it with {{#if " + v.name() + "}}");
                    }
                    out.append(value);
                }
                case Part.Item i -> out.append(items.peek());
                case Part.If f -> {
                    if (values.isSet(f.name())) {
                        render(f.body(), values, items, last, out);
                    }
                }
                case Part.Between b -> {
                    if (!last.isEmpty() && !last.peek()) {
                        render(b.body(), values, items, last, out);
                    }
                }
                case Part.Each e -> {
                    List<String> list = values.lists().getOrDefault(e.name(), List.of());
                    for (int i = 0; i < list.size(); i++) {
                        items.push(list.get(i));
                        last.push(i == list.size() - 1);
                        render(e.body(), values, items, last, out);
                        last.pop();
                        items.pop();
                    }
                }
            }
        }
    }
}
