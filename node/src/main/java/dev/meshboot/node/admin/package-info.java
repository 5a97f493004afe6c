/**
 * The agent's admin API: a Unix domain socket that only the agent's user (root) can open, one JSON request and one
 * JSON response per connection. Nothing administrative listens on the network; remote administration is ssh to any
 * node and the CLI there (docs/cluster.md, "The admin socket").
 */
package dev.meshboot.node.admin;
