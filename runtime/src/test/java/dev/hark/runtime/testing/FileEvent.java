package dev.hark.runtime.testing;

import dev.hark.api.Event;

/**
 * An event of the {@link FileSourceListener}'s folder source: one file, named by its id.
 *
 * @param folder the source folder, so that a commit knows where to forget the event
 */
public record FileEvent(String folder, String id, String payload) implements Event {}
