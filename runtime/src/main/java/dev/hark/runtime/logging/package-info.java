/**
 * What the runtime's log lines carry besides their message: {@link dev.hark.runtime.logging.LogFields},
 * the workflow, task and listener an engine thread is working for.
 */
package dev.hark.runtime.logging;
