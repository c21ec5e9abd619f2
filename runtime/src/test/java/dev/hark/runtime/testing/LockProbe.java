package dev.hark.runtime.testing;

import dev.hark.runtime.Hark;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import java.nio.file.Path;

/**
 * Run in a child JVM by lock tests: {@code LockProbe <dataDir> hark|store} tries to open the folder
 * (as a runtime, or as a bare store) and prints {@code OPENED}, or {@code REFUSED <message>} when
 * the folder's lock is held.
 */
public final class LockProbe {

    private LockProbe() {}

    public static void main(String[] args) {
        Path dataDir = Path.of(args[0]);
        try {
            if (args[1].equals("hark")) {
                Hark.open(dataDir).close();
            } else {
                SqliteWorkflowStore.open(dataDir).close();
            }
            System.out.println("OPENED");
        } catch (IllegalStateException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
        System.out.flush();
        System.exit(0);
    }
}
