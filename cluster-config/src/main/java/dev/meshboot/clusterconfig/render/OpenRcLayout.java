package dev.meshboot.clusterconfig.render;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Gentoo with OpenRC and netifrc. netifrc configures an interface by name, and names can change between boots, so a
 * udev rule names the boot interface {@code mesh0} by its MAC, and {@code net.mesh0} is the usual symlink to
 * {@code net.lo}. A service is enabled as {@code rc-update add NAME default} does:
 * {@code etc/runlevels/default/NAME -> /etc/init.d/NAME}.
 */
record OpenRcLayout() implements OsFamilyLayout {
    @Override
    public List<BuiltIn> templates() {
        List<BuiltIn> all = new ArrayList<>(COMMON);
        all.add(new BuiltIn("gentoo", "etc/conf.d/hostname", 0644));
        all.add(new BuiltIn("gentoo", "etc/conf.d/net", 0644));
        all.add(new BuiltIn("gentoo", "etc/udev/rules.d/70-meshboot-net.rules", 0644));
        return all;
    }

    @Override
    public List<RenderedFile> links(List<String> services) {
        List<RenderedFile> links = new ArrayList<>();
        links.add(RenderedFile.symlink("etc/init.d/net.mesh0", "net.lo"));
        TreeSet<String> enabled = new TreeSet<>(services);
        enabled.add("net.mesh0");
        enabled.forEach(s -> links.add(RenderedFile.symlink("etc/runlevels/default/" + s, "/etc/init.d/" + s)));
        return links;
    }
}
