package ${package};

import dev.hark.api.Event;
import java.nio.file.Path;

/**
 * One event of {@link ${listenerName}}: a file {@code <name>.event} in the queue's folder.
 *
 * @param folder the queue's folder, so that the commit knows which file to delete
 * @param name the file's name without {@code .event}; files are taken in name order
 * @param payload the file's content (UTF-8)
 */
public record ${listenerName}Event(String folder, String name, String payload) implements Event {

    /** The folder's name and the file's name: unique within the source, the same on redelivery. */
    @Override
    public String id() {
        return Path.of(folder).getFileName() + "/" + name;
    }
}
