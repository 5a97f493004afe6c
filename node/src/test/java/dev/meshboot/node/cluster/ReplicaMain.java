package dev.meshboot.node.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A member in a JVM of its own, for the failure tests: {@code ReplicaMain DIR NAME PORT PEERPORT...} joins over
 * TCP on 127.0.0.1, {@code ReplicaMain DIR NAME udp GROUP:PORT} over UDP multicast on 127.0.0.1 (run it in a
 * network namespace whose loopback carries multicast); it answers commands on stdin, one per line:
 * {@code write KIND NAME JSON}, {@code state} (prints {@code STATE <view size> <versions> <digest hex>}). Prints
 * {@code READY} once connected.
 */
public final class ReplicaMain {
    private ReplicaMain() {}

    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ChannelSettings settings;
        if (args[2].equals("udp")) {
            String[] group = args[3].split(":");
            settings = new ChannelSettings("process-test", args[1], ChannelSettings.Transport.UDP, lo, 0,
                    new InetSocketAddress(InetAddress.getByName(group[0]), Integer.parseInt(group[1])), List.of(),
                    ChannelSettings.Timing.DEFAULTS);
        } else {
            List<InetSocketAddress> peers = new ArrayList<>();
            for (int i = 3; i < args.length; i++) {
                peers.add(new InetSocketAddress(lo, Integer.parseInt(args[i])));
            }
            settings = new ChannelSettings("process-test", args[1], ChannelSettings.Transport.TCP, lo,
                    Integer.parseInt(args[2]), new InetSocketAddress(lo, 0), peers, ChannelSettings.Timing.DEFAULTS);
        }
        try (TestMember m = TestMember.start(Path.of(args[0]), settings, TestMember.SECRET)) {
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.split(" ", 4);
                switch (w[0]) {
                    case "write" -> {
                        m.write(w[1], w[2], w[3]);
                        System.out.println("OK");
                    }
                    case "state" -> System.out.println("STATE " + m.viewSize() + " " + m.store.versions().size() + " "
                            + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                    .digest(m.store.snapshot())));
                    default -> System.out.println("ERROR unknown command " + w[0]);
                }
                System.out.flush();
            }
        }
    }
}
