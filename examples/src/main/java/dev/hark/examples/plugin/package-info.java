/**
 * The examples as workflow definitions, packaged as a plugin jar
 * ({@code examples/target/plugins/}) that {@code hark serve} loads.
 */
package dev.hark.examples.plugin;
