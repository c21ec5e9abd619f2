/**
 * Not API: the pieces {@link dev.hark.workflow.Dag} shares with the runtime so that a definition
 * is checked exactly as it will be stored and run — the one Jackson mapper and the value envelope
 * ({@code Json}, {@code ValueCodec}), listener classes checked and their types resolved
 * ({@code ListenerType}), task functions resolved against a class loader ({@code ResolvedFunction}).
 * Plugins cannot see this package; it may change in any release.
 */
package dev.hark.workflow.internal;
