package dev.meshboot.clusterconfig.template;

/**
 * A template was refused, when parsed or when rendered: which template, which line of its body, which variable (empty
 * for a mistake in the syntax itself), and why.
 */
public final class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String template;
    private final int line;
    private final String variable;
    private final String reason;

    public TemplateException(String template, int line, String variable, String reason) {
        super("template " + template + " line " + line + (variable.isEmpty() ? "" : " variable '" + variable + "'")
                + ": " + reason);
        this.template = template;
        this.line = line;
        this.variable = variable;
        this.reason = reason;
    }

    public String template() {
        return template;
    }

    public int line() {
        return line;
    }

    public String variable() {
        return variable;
    }

    public String reason() {
        return reason;
    }
}
