package dev.meshboot.node.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an iPXE script the way the simulated iPXE needs it: the {@code kernel} and {@code initrd} URLs and the
 * kernel's command line ({@code meshboot.servers=}, {@code meshboot.snapshot=}, ...: docs/boot-flow.md), or, for a
 * script that does not boot (IpxeScript's "cannot boot now"), the reason it prints. A pure function of the text;
 * anything else a script may do (local disk, menus) is refused with a message naming the line, since the demo's
 * machines are ram-mode nodes that only ever get a network boot.
 */
final class IpxeScriptReader {
    /** The largest script accepted: IpxeScript's are well under 2 KiB. */
    static final int MAX_SCRIPT = 16 * 1024;

    /** A network boot: what to fetch, and the command line {@code /init} reads its parameters from. */
    record NetworkBoot(String kernelUrl, String initrdUrl, Map<String, String> cmdline) {
        NetworkBoot {
            cmdline = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cmdline));
        }

        /** A {@code meshboot.NAME=} parameter. */
        Optional<String> param(String name) {
            return Optional.ofNullable(cmdline.get("meshboot." + name));
        }
    }

    /** What a script says. */
    sealed interface Result permits Boot, CannotBoot {}

    record Boot(NetworkBoot boot) implements Result {}

    /** A script that waits and reboots instead of booting, with what it prints. */
    record CannotBoot(String message) implements Result {}

    /** Why a script cannot be read. */
    static final class ScriptException extends Exception {
        private static final long serialVersionUID = 1L;

        ScriptException(String message) {
            super(message);
        }
    }

    private IpxeScriptReader() {}

    static Result read(String script) throws ScriptException {
        if (script.length() > MAX_SCRIPT) {
            throw new ScriptException("script is " + script.length() + " characters; limit " + MAX_SCRIPT);
        }
        String[] lines = script.split("\n");
        if (lines.length == 0 || !lines[0].strip().equals("#!ipxe")) {
            throw new ScriptException("not an iPXE script: the first line is not #!ipxe");
        }
        String kernel = null;
        Map<String, String> cmdline = new LinkedHashMap<>();
        String initrd = null;
        String echo = "";
        for (int i = 1; i < lines.length; i++) {
            String line = stripFallback(lines[i].strip());
            String[] words = line.split("\\s+");
            switch (words[0]) {
                case "kernel" -> {
                    if (words.length < 2) {
                        throw new ScriptException("line " + (i + 1) + ": kernel without a URL");
                    }
                    kernel = words[1];
                    for (int w = 2; w < words.length; w++) {
                        int eq = words[w].indexOf('=');
                        cmdline.put(eq < 0 ? words[w] : words[w].substring(0, eq), eq < 0 ? "" : words[w].substring(eq + 1));
                    }
                }
                case "initrd" -> {
                    if (words.length < 2) {
                        throw new ScriptException("line " + (i + 1) + ": initrd without a URL");
                    }
                    initrd = words[1];
                }
                case "echo" -> echo = echo.isEmpty() ? line.substring(4).strip() : echo;
                case "", "boot", "sleep", "reboot", "goto" -> { }
                default -> {
                    if (!words[0].startsWith(":")) {
                        throw new ScriptException("line " + (i + 1) + ": '" + words[0] + "' is not something this"
                                + " simulated iPXE does (it network-boots ram nodes only)");
                    }
                }
            }
        }
        if (kernel == null) {
            return new CannotBoot(echo);
        }
        if (initrd == null) {
            throw new ScriptException("the script loads a kernel but no initrd");
        }
        return new Boot(new NetworkBoot(kernel, initrd, cmdline));
    }

    /** {@code CMD || goto failed} is CMD with iPXE's fallback; the fallback is the caller's retry. */
    private static String stripFallback(String line) {
        int or = line.indexOf("||");
        return or < 0 ? line : line.substring(0, or).strip();
    }
}
