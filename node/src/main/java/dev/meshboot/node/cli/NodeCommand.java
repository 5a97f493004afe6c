package dev.meshboot.node.cli;

import dev.meshboot.clusterconfig.ConfigException;
import dev.meshboot.node.agent.Agent;
import dev.meshboot.node.agent.AgentConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshboot node}: runs the agent until it is stopped (SIGTERM or SIGINT). */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run the node agent: DHCP or proxyDHCP, TFTP and HTTP from the cluster's documents.")
final class NodeCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's settings (YAML).")
    Path config;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig settings;
        Agent agent;
        try {
            settings = AgentConfig.read(config);
            agent = Agent.start(settings, Clock.systemUTC());
        } catch (ConfigException e) {
            err.println("meshboot: " + e.getMessage());
            return FaultHandler.FAULT;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stop.countDown();
        }));
        spec.commandLine().getOut().printf("meshboot node: serving %d machines on %s (%s DHCP, TFTP port %d, HTTP port %d)%n",
                agent.cluster().nodes().size(), settings.interfaces().stream().map(i -> i.device() + "=" + i.address())
                        .toList(), settings.proxy() ? "proxy" : "full", settings.ports().tftp(), settings.ports().http());
        spec.commandLine().getOut().flush();
        stop.await();
        return 0;
    }
}
