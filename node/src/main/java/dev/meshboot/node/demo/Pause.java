package dev.meshboot.node.demo;

import java.time.Duration;

/**
 * How simulated time passes in the demo: a machine's firmware and kernel starting, a reboot's wait, the gap between
 * power-ons. Injected, so the real command waits and a test could choose not to.
 */
@FunctionalInterface
public interface Pause {
    void pause(Duration d) throws InterruptedException;
}
