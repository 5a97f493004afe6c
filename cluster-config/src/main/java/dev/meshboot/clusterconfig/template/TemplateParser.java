package dev.meshboot.clusterconfig.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses a template body into {@link Part}s and checks every variable against the known ones. A block tag
 * ({@code #if}, {@code /if}, {@code #each}, {@code /each}) alone on its line takes its line with it, as in Mustache,
 * so templates can put blocks on lines of their own without leaving blank lines in the output.
 */
final class TemplateParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    private static final Pattern BLOCK = Pattern.compile("[#/](if|each|between)\\b.*", Pattern.DOTALL);

    private final String template;
    private final String body;
    private final Map<String, VariableKind> known;

    /** An open block: its tag, its line, and the parts collected so far. */
    private record Open(String tag, String name, int line, List<Part> parts) {}

    TemplateParser(String template, String body, Map<String, VariableKind> known) {
        this.template = template;
        this.body = body;
        this.known = known;
    }

    List<Part> parse() throws TemplateException {
        Deque<Open> open = new ArrayDeque<>();
        open.push(new Open("", "", 0, new ArrayList<>()));
        int pos = 0;
        int line = 1;
        int lineCountedTo = 0;
        while (pos < body.length()) {
            int start = body.indexOf("{{", pos);
            if (start < 0) {
                addText(open.peek().parts(), body.substring(pos));
                break;
            }
            line += count(lineCountedTo, start);
            lineCountedTo = start;
            int close = body.indexOf("}}", start + 2);
            if (close < 0) {
                throw new TemplateException(template, line, "", "'{{' without a closing '}}'");
            }
            String inner = body.substring(start + 2, close).strip();
            int end = close + 2;
            String before = body.substring(pos, start);
            if (BLOCK.matcher(inner).matches() && standalone(start, end)) {
                before = before.substring(0, lastLineStart(before));
                int newline = body.indexOf('\n', end);
                end = newline < 0 ? body.length() : newline + 1;
            }
            addText(open.peek().parts(), before);
            tag(inner, line, open);
            pos = end;
        }
        if (open.size() > 1) {
            Open o = open.peek();
            throw new TemplateException(template, o.line(), o.name(), "{{#" + o.tag() + "}} is never closed by {{/"
                    + o.tag() + "}}");
        }
        return List.copyOf(open.peek().parts());
    }

    private void tag(String inner, int line, Deque<Open> open) throws TemplateException {
        if (inner.equals(".")) {
            if (open.stream().noneMatch(o -> o.tag().equals("each"))) {
                throw new TemplateException(template, line, "", "{{.}} is only meaningful inside {{#each}}");
            }
            open.peek().parts().add(new Part.Item(line));
        } else if (inner.equals("#between")) {
            if (!open.peek().tag().equals("each")) {
                throw new TemplateException(template, line, "", "{{#between}} belongs directly inside {{#each}}");
            }
            open.push(new Open("between", "", line, new ArrayList<>()));
        } else if (inner.startsWith("#")) {
            String[] words = inner.substring(1).split("\\s+");
            if (words.length != 2 || !(words[0].equals("if") || words[0].equals("each"))) {
                throw new TemplateException(template, line, "", "unknown block {{" + inner
                        + "}} (blocks are {{#if variable}}, {{#each list}} and {{#between}})");
            }
            String name = words[1];
            VariableKind kind = kindOf(name, line);
            if (words[0].equals("each") && kind != VariableKind.LIST) {
                throw new TemplateException(template, line, name, "is text, not a list; {{#each}} walks a list");
            }
            open.push(new Open(words[0], name, line, new ArrayList<>()));
        } else if (inner.startsWith("/")) {
            String tag = inner.substring(1).strip();
            Open o = open.peek();
            if (o.tag().isEmpty() || !o.tag().equals(tag)) {
                throw new TemplateException(template, line, "", "{{" + inner + "}} does not close "
                        + (o.tag().isEmpty() ? "any open block" : "{{#" + o.tag() + " " + o.name() + "}} of line " + o.line()));
            }
            open.pop();
            List<Part> parts = List.copyOf(o.parts());
            open.peek().parts().add(switch (tag) {
                case "if" -> new Part.If(o.name(), o.line(), parts);
                case "each" -> new Part.Each(o.name(), o.line(), parts);
                default -> new Part.Between(parts);
            });
        } else {
            VariableKind kind = kindOf(inner, line);
            if (kind == VariableKind.LIST) {
                throw new TemplateException(template, line, inner, "is a list; walk it with {{#each " + inner + "}}");
            }
            if (kind == VariableKind.OPTIONAL_TEXT
                    && open.stream().noneMatch(o -> o.tag().equals("if") && o.name().equals(inner))) {
                throw new TemplateException(template, line, inner, "some nodes have no value for it; use it inside"
                        + " {{#if " + inner + "}}");
            }
            open.peek().parts().add(new Part.Variable(inner, line));
        }
    }

    private VariableKind kindOf(String name, int line) throws TemplateException {
        if (!NAME.matcher(name).matches()) {
            throw new TemplateException(template, line, name, "not a variable name (letters and digits)");
        }
        VariableKind kind = known.get(name);
        if (kind == null) {
            throw new TemplateException(template, line, name, "unknown variable (known: "
                    + String.join(", ", known.keySet().stream().sorted().toList()) + ")");
        }
        return kind;
    }

    /** Only spaces or tabs between the tag and the start and end of its line. */
    private boolean standalone(int start, int end) {
        for (int i = start - 1; i >= 0 && body.charAt(i) != '\n'; i--) {
            if (body.charAt(i) != ' ' && body.charAt(i) != '\t') {
                return false;
            }
        }
        for (int i = end; i < body.length() && body.charAt(i) != '\n'; i++) {
            if (body.charAt(i) != ' ' && body.charAt(i) != '\t' && body.charAt(i) != '\r') {
                return false;
            }
        }
        return true;
    }

    private static int lastLineStart(String text) {
        return text.lastIndexOf('\n') + 1;
    }

    private int count(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (body.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static void addText(List<Part> parts, String text) {
        if (!text.isEmpty()) {
            parts.add(new Part.Text(text));
        }
    }
}
