/**
 * The runtime's documented entry point for conformance kits and listener tests: what a listener's
 * values become in the store ({@link dev.hark.runtime.testkit.StoredForms}). The TCK uses this
 * package and the runtime's public API ({@code Hark}, the storage SPI), never the runtime's
 * internals.
 */
package dev.hark.runtime.testkit;
