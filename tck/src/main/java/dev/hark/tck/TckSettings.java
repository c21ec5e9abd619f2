package dev.hark.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * The TCK's knobs. Each is read, like a JUnit Platform configuration parameter, from a system
 * property ({@code -Dhark.tck.tries=20}) or else from {@code junit-platform.properties} on the test
 * class path, else its default. The defaults keep one listener's whole TCK under a minute on two
 * cores.
 *
 * <table>
 *   <caption>knobs</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code hark.tck.tries}</td><td>8</td><td>tries of each crash-schedule property</td></tr>
 *   <tr><td>{@code hark.tck.seed}</td><td>random</td><td>fixed seed for the crash-schedule properties</td></tr>
 *   <tr><td>{@code hark.tck.maxEvents}</td><td>3</td><td>longest schedule (events, one workflow each)</td></tr>
 *   <tr><td>{@code hark.tck.livenessMillis}</td><td>10000</td><td>bound for a published event to reach its workflow [L3.6]</td></tr>
 *   <tr><td>{@code hark.tck.nonBlockingMillis}</td><td>1000</td><td>how long {@code pollForEvent} / {@code eventCheckpointed} may take to return [L3.1, L4.3]</td></tr>
 *   <tr><td>{@code hark.tck.concurrentWaits}</td><td>16</td><td>pending waits in the thread checks [L3.1, L3.8]</td></tr>
 *   <tr><td>{@code hark.tck.settleMillis}</td><td>150</td><td>pause that lets a poll start before the TCK cancels it [L3.4]</td></tr>
 *   <tr><td>{@code hark.tck.lateConsumeMillis}</td><td>200</td><td>how long after a poll the TCK still looks for the event being consumed at the source [L3.3]</td></tr>
 *   <tr><td>{@code hark.tck.plugin}</td><td>unset</td><td>the listener's plugin folder: load the listener in a plugin class loader with its jars, as {@code hark serve} does</td></tr>
 * </table>
 */
public record TckSettings(
        int tries,
        Optional<String> seed,
        int maxEvents,
        Duration liveness,
        Duration nonBlocking,
        int concurrentWaits,
        Duration settle,
        Duration lateConsume) {

    public static final String TRIES = "hark.tck.tries";
    public static final String SEED = "hark.tck.seed";
    public static final String MAX_EVENTS = "hark.tck.maxEvents";
    public static final String LIVENESS_MILLIS = "hark.tck.livenessMillis";
    public static final String NON_BLOCKING_MILLIS = "hark.tck.nonBlockingMillis";
    public static final String CONCURRENT_WAITS = "hark.tck.concurrentWaits";
    public static final String SETTLE_MILLIS = "hark.tck.settleMillis";
    public static final String LATE_CONSUME_MILLIS = "hark.tck.lateConsumeMillis";
    /**
     * A plugin folder ({@code target/plugin/<name>/}, as the archetype's pom builds it) whose jars are
     * the listener's libraries: when set, every runtime the kit opens and every generation of the
     * listener loads the listener in a plugin class loader, as {@code hark serve} does — its own
     * classes and these jars first, only the runtime's shared packages from outside. Unset: the
     * listener's classes come from the test class path.
     */
    public static final String PLUGIN = "hark.tck.plugin";

    /** @return the settings in force now (system properties are read each time) */
    public static TckSettings current() {
        Properties file = platformProperties();
        return new TckSettings(
                intValue(file, TRIES, 8, 1),
                Optional.ofNullable(value(file, SEED)).filter(s -> !s.isBlank()),
                intValue(file, MAX_EVENTS, 3, 1),
                Duration.ofMillis(intValue(file, LIVENESS_MILLIS, 10_000, 100)),
                Duration.ofMillis(intValue(file, NON_BLOCKING_MILLIS, 1_000, 10)),
                intValue(file, CONCURRENT_WAITS, 16, 1),
                Duration.ofMillis(intValue(file, SETTLE_MILLIS, 150, 0)),
                Duration.ofMillis(intValue(file, LATE_CONSUME_MILLIS, 200, 0)));
    }

    private static String value(Properties file, String key) {
        String system = System.getProperty(key);
        return system != null ? system : file.getProperty(key);
    }

    private static int intValue(Properties file, String key, int fallback, int min) {
        String text = value(file, key);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(text.trim());
            if (parsed < min) {
                throw new IllegalArgumentException("TCK setting " + key + " must be at least " + min + ", was " + text);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("TCK setting " + key + " must be an integer, was '" + text + "'", e);
        }
    }

    /** @return the folder of {@value #PLUGIN}, if set */
    public static Optional<Path> pluginFolder() {
        return Optional.ofNullable(value(platformProperties(), PLUGIN))
                .filter(s -> !s.isBlank())
                .map(Path::of);
    }

    private static Properties platformProperties() {
        Properties properties = new Properties();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL url =
                (loader != null ? loader : TckSettings.class.getClassLoader()).getResource("junit-platform.properties");
        if (url != null) {
            try (InputStream in = url.openStream()) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + url, e);
            }
        }
        return properties;
    }
}
