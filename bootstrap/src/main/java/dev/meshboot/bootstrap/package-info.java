/**
 * Everything a machine needs to boot from the mesh: the initramfs builder, the iPXE scripts, and the hand-boot of
 * the first node. Built from a snapshot's own kernel and modules, so an update rolls the kernel too.
 */
package dev.meshboot.bootstrap;
