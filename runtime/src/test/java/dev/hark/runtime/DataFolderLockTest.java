package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.LockProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner per data folder, in this JVM and across processes. OS file locks belong to the
 * process, and closing any channel to the lock file drops them: a refused second open in this JVM
 * must not free the folder for another process. The other process here is a real child JVM
 * ({@link LockProbe}).
 */
class DataFolderLockTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path scratch;

    @Test
    void aRefusedSecondOpenInThisJvmLeavesTheFirstRuntimesLockHoldingAgainstAnotherProcess() throws Exception {
        try (Hark first = Hark.open(dataDir)) {
            IllegalStateException second = assertThrows(IllegalStateException.class, () -> Hark.open(dataDir));
            assertTrue(
                    second.getMessage().contains("data folder " + dataDir.toRealPath())
                            && second.getMessage()
                                    .contains("in use by another Hark runtime (by a runtime in this JVM)"),
                    second.getMessage());

            String probe = probe("hark");
            assertTrue(
                    probe.startsWith("REFUSED ")
                            && probe.contains("in use by another Hark runtime (by another process)"),
                    "another process opened the folder while the first runtime still runs it: " + probe);
            assertTrue(probe("store").startsWith("REFUSED "), "nor may it open the store under it");
        }
        assertEquals("OPENED", probe("hark"), "closing the runtime frees the folder");
    }

    @Test
    void theSameFolderUnderAnotherPathIsTheSameFolder() throws Exception {
        Path link = Files.createSymbolicLink(scratch.resolve("link"), dataDir);
        try (Hark first = Hark.open(dataDir)) {
            assertThrows(IllegalStateException.class, () -> Hark.open(link));
            assertThrows(
                    IllegalStateException.class,
                    () -> Hark.open(dataDir.resolve("sub").resolve("..")));
            assertTrue(probe("hark").startsWith("REFUSED "));
        }
        Hark.open(link).close();
    }

    @Test
    void aStoreOpenedDirectlyLocksItsFolderAndASecondOpenIsRefused() throws Exception {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dataDir)) {
            IllegalStateException again =
                    assertThrows(IllegalStateException.class, () -> SqliteWorkflowStore.open(dataDir));
            assertTrue(again.getMessage().contains("in use by another Hark runtime"), again.getMessage());
            assertThrows(IllegalStateException.class, () -> Hark.open(dataDir));
            assertTrue(probe("store").startsWith("REFUSED "), "another process may not open the store either");
            assertTrue(probe("hark").startsWith("REFUSED "));
            assertTrue(store.list(java.util.Optional.empty()).isEmpty(), "the open store still works");
        }
        assertEquals("OPENED", probe("store"), "closing the store frees the folder");
    }

    @Test
    void aRuntimeAndItsStoreShareOneLockThatClosingTheRuntimeReleases() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            assertThrows(
                    IllegalStateException.class,
                    () -> SqliteWorkflowStore.open(dataDir),
                    "the runtime's store holds the folder; a second store on it is refused");
            assertTrue(probe("store").startsWith("REFUSED "));
        }
        SqliteWorkflowStore.open(dataDir).close();
        try (Hark again = Hark.builder()
                .dataDir(dataDir)
                .store(dir -> new dev.hark.runtime.testing.RefusingStore(SqliteWorkflowStore.open(dir), 0))
                .open()) {
            assertTrue(probe("hark").startsWith("REFUSED "), "a decorated store opens under the runtime's lock too");
        }
        assertEquals("OPENED", probe("hark"));
    }

    /** Runs {@link LockProbe} in a child JVM on {@link #dataDir} and returns its one line. */
    private String probe(String mode) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = Files.createTempFile(scratch, "probe", ".out");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockProbe.class.getName(),
                        dataDir.toString(),
                        mode)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        } finally {
            process.destroyForcibly();
        }
        String output = Files.readString(out);
        return output.lines()
                .filter(l -> l.startsWith("OPENED") || l.startsWith("REFUSED"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("probe printed no verdict: " + output));
    }
}
