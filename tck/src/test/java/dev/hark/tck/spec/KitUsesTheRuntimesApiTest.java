package dev.hark.tck.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kit is a client of the runtime like any embedding application: it imports the runtime's API
 * packages (docs/ARCHITECTURE.md, "The runtime's API") and the workflow API, never the runtime's
 * internals ({@code engine}, {@code protocol}, {@code workflow}, {@code concurrent}) or
 * {@code dev.hark.workflow.internal}, so that those can change without breaking kits built on it.
 */
class KitUsesTheRuntimesApiTest {

    /** The runtime's packages an application may import; the rest are internal. */
    static final List<String> RUNTIME_API = List.of(
            "dev.hark.runtime",
            "dev.hark.runtime.event",
            "dev.hark.runtime.http",
            "dev.hark.runtime.plugin",
            "dev.hark.runtime.storage",
            "dev.hark.runtime.storage.sqlite",
            "dev.hark.runtime.testkit");

    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?((?:[a-z]\\w*\\.)+)[A-Z]", Pattern.MULTILINE);

    @Test
    void noClassOfTheKitImportsAnInternalPackage() throws IOException {
        Path sources = Path.of(System.getProperty("user.dir")).resolve("src/main/java");
        assertTrue(Files.isDirectory(sources), "run from the tck module: " + sources);
        List<String> internal = new ArrayList<>();
        int imports = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher matcher = IMPORT.matcher(Files.readString(file));
                while (matcher.find()) {
                    String pkg = matcher.group(1).substring(0, matcher.group(1).length() - 1);
                    imports++;
                    if (isInternal(pkg)) {
                        internal.add(sources.relativize(file) + " imports " + pkg);
                    }
                }
            }
        }
        assertTrue(imports > 100, "the scan read the kit's imports: " + imports);
        assertEquals(List.of(), internal, "the kit may use the runtime's API packages " + RUNTIME_API + " only");
    }

    @Test
    void theRuleTellsInternalFromApi() {
        assertTrue(isInternal("dev.hark.runtime.protocol"));
        assertTrue(isInternal("dev.hark.runtime.engine"));
        assertTrue(isInternal("dev.hark.workflow.internal"));
        assertTrue(!isInternal("dev.hark.runtime.storage")
                && !isInternal("dev.hark.workflow")
                && !isInternal("java.util"));
    }

    private static boolean isInternal(String pkg) {
        if (pkg.startsWith("dev.hark.workflow.internal")) {
            return true;
        }
        return pkg.startsWith("dev.hark.runtime") && !RUNTIME_API.contains(pkg);
    }
}
