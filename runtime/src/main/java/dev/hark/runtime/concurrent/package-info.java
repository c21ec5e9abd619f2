/**
 * Small concurrency helpers every part of the runtime shares: its thread factory and the unwrapping
 * of futures' failures. Depends on nothing else of the runtime.
 */
package dev.hark.runtime.concurrent;
