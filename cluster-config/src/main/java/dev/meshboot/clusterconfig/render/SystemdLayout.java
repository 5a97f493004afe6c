package dev.meshboot.clusterconfig.render;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * systemd families. A service is enabled as {@code systemctl enable} does for a unit {@code WantedBy=multi-user.target}:
 * {@code etc/systemd/system/multi-user.target.wants/UNIT -> UNIT_DIR/UNIT}. A name without a suffix is a
 * {@code .service}; an instance ({@code getty@tty1}) links to its template unit ({@code getty@.service}).
 *
 * @param unitDir where the distribution installs units: {@code /lib/systemd/system} on Debian,
 *     {@code /usr/lib/systemd/system} on RHEL
 * @param alwaysEnabled units the rendered network configuration itself needs
 */
record SystemdLayout(List<BuiltIn> familyTemplates, String unitDir, List<String> alwaysEnabled) implements OsFamilyLayout {
    private static final String WANTS = "etc/systemd/system/multi-user.target.wants/";

    @Override
    public List<BuiltIn> templates() {
        List<BuiltIn> all = new ArrayList<>(COMMON);
        all.addAll(familyTemplates);
        return all;
    }

    @Override
    public List<RenderedFile> links(List<String> services) {
        TreeSet<String> units = new TreeSet<>();
        alwaysEnabled.forEach(s -> units.add(unit(s)));
        services.forEach(s -> units.add(unit(s)));
        return units.stream().map(u -> RenderedFile.symlink(WANTS + u, unitDir + "/" + templateOf(u))).toList();
    }

    private static String unit(String name) {
        return name.matches(".*\\.(service|socket|timer|path|target|mount)") ? name : name + ".service";
    }

    private static String templateOf(String unit) {
        int at = unit.indexOf('@');
        int dot = unit.lastIndexOf('.');
        return at >= 0 && at + 1 < dot ? unit.substring(0, at + 1) + unit.substring(dot) : unit;
    }
}
