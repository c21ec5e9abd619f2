// Runs after the archetype plugin wrote the project. Bad input is refused here: the half-made project
// is deleted and generation fails with one message per problem, naming the property and the fix.
import java.nio.file.Files
import java.nio.file.Path
import java.util.Comparator

def keywords = ('abstract assert boolean break byte case catch char class const continue default do double ' +
        'else enum extends final finally float for goto if implements import instanceof int interface long ' +
        'native new package private protected public return short static strictfp super switch synchronized ' +
        'this throw throws transient try void volatile while true false null _ var record yield sealed permits').split(' ') as Set
// Simple names the generated sources import or use unqualified: a listener of that name would not compile.
def taken = ['EventListener', 'EventContext', 'Event', 'ListenerVerification', 'SourceFixture', 'Publication',
        'Files', 'Path', 'Duration', 'Optional', 'CompletableFuture', 'CompletionStage', 'Stream', 'Map', 'Set',
        'HashSet', 'Comparator', 'ConcurrentHashMap', 'AtomicLong', 'IOException', 'UncheckedIOException',
        'NoSuchFileException', 'StandardCharsets', 'StandardCopyOption', 'String', 'Object', 'Override', 'Class',
        'Void', 'Math', 'System'] as Set

def props = request.properties
def listenerName = props.getProperty('listenerName')
def pkg = props.getProperty('package')
def problems = []

if (listenerName == null || !(listenerName ==~ /[A-Z][A-Za-z0-9_]*/)) {
    problems << "listenerName '${listenerName}' is not a Java type name: start with an upper-case letter A-Z, " +
            "then letters, digits or '_' (e.g. -DlistenerName=InboxListener)"
} else if (taken.contains(listenerName) || taken.contains(listenerName + 'Event')
        || taken.contains(listenerName + 'VerificationTest')) {
    problems << "listenerName '${listenerName}' clashes with a type the generated code uses; choose another " +
            "(e.g. -DlistenerName=InboxListener)"
}
def segments = pkg == null ? [] : pkg.split('\\.', -1) as List
def badSegments = segments.findAll { !(it ==~ /[A-Za-z_$][A-Za-z0-9_$]*/) || keywords.contains(it) }
if (pkg == null || pkg.isEmpty() || !badSegments.isEmpty()) {
    problems << "package '${pkg}' is not a Java package name" +
            (badSegments.isEmpty() ? '' : " (bad part(s): ${badSegments.collect { "'" + it + "'" }.join(', ')})") +
            ": dot-separated Java identifiers that are not keywords (e.g. -Dpackage=com.example.inbox)"
}

if (!problems.isEmpty()) {
    Path project = Path.of(request.outputDirectory, request.artifactId)
    if (Files.isDirectory(project)) {
        Files.walk(project).sorted(Comparator.reverseOrder()).forEach { Files.delete(it) }
    }
    def message = "Refused to generate a Hark listener project:\n" + problems.collect { "  - " + it }.join("\n")
    System.err.println("[ERROR] " + message)
    throw new IllegalArgumentException(message)
}
