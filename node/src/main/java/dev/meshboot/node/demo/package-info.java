/**
 * {@code meshboot demo}: a three-agent mesh in one process on loopback, and simulated machines that boot from it
 * through the real exchanges (DHCP through a relay, TFTP, iPXE's HTTP, {@code /init}'s verified chunk fetch), while
 * one active boot server is killed part-way. docs/architecture.md ("The demo") says which parts are real and which
 * are simulated, and why.
 */
package dev.meshboot.node.demo;
