/**
 * The cluster's documents (cluster, profiles, nodes, templates), their validation, and the merge rules of the
 * replicated store. Free of the network: the agent in {@code node} owns the JGroups channel and drives these rules.
 */
package dev.meshboot.clusterconfig;
