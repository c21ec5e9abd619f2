package dev.hark.runtime.workflow;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A wait a workflow has open: what it is waiting for, as an operator reads it.
 *
 * @param taskId the wait's task id within its workflow
 * @param listener the listener's class name
 * @param args the listener's arguments as stored (for an HTTP wait, its event key)
 * @param deadline when the wait gives up: a timeout's deadline, a timer's instant; null if never
 *     or not known yet
 * @param race the task id of the race ({@code firstOf} or timeout) the wait belongs to, or null
 */
public record OpenWait(String taskId, String listener, JsonNode args, Instant deadline, String race) {}
