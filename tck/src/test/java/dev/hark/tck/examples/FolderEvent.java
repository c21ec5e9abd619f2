package dev.hark.tck.examples;

import dev.hark.api.Event;
import java.nio.file.Path;

/**
 * One event of the {@link FolderQueueListener}'s source: a file {@code <name>.event} in the queue's
 * folder.
 *
 * @param folder the queue's folder, so that the commit knows where to forget the event
 * @param name the file's base name; files are taken in name order
 * @param payload the file's content
 */
public record FolderEvent(String folder, String name, String payload) implements Event {

    /** The queue's folder name and the file's name: unique within the source, the same on redelivery. */
    @Override
    public String id() {
        return Path.of(folder).getFileName() + "/" + name;
    }
}
