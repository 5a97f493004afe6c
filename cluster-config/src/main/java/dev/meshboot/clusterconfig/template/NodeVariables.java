package dev.meshboot.clusterconfig.template;

import java.util.Map;
import java.util.TreeMap;

/**
 * The variables a node's templates may use. Fixed here, not inferred from a node, so a template that names an
 * unknown one is refused when its document is loaded rather than when some node first renders it. docs/templates.md
 * says what each holds.
 */
public final class NodeVariables {
    /** Name to kind, in name order. */
    public static final Map<String, VariableKind> KNOWN = known();

    private NodeVariables() {}

    private static Map<String, VariableKind> known() {
        Map<String, VariableKind> m = new TreeMap<>();
        for (String text : new String[] {"node", "hostname", "domain", "fqdn", "mac", "network", "address", "prefix",
                "netmask", "profile", "os", "install", "channel", "uuid"}) {
            m.put(text, VariableKind.TEXT);
        }
        m.put("gateway", VariableKind.OPTIONAL_TEXT);
        m.put("dns", VariableKind.LIST);
        m.put("services", VariableKind.LIST);
        return java.util.Collections.unmodifiableMap(m);
    }
}
