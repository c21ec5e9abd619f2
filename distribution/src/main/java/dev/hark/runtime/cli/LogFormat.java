package dev.hark.runtime.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The server's log format: {@code text} (the default) or {@code json}, one JSON object per line.
 * The distribution's {@code logback.xml} picks its appender by the system property
 * {@value #PROPERTY}; when Logback was already configured with another format, it is configured
 * again, so the flag wins whenever it is read.
 */
final class LogFormat {

    static final String PROPERTY = "hark.log.format";

    private LogFormat() {}

    /** @throws IllegalArgumentException for a format other than text or json */
    static void use(String format) {
        String chosen = format.toLowerCase(Locale.ROOT);
        if (!chosen.equals("text") && !chosen.equals("json")) {
            throw new IllegalArgumentException("--log-format must be text or json, was '" + format + "'");
        }
        String before = System.getProperty(PROPERTY, "text");
        System.setProperty(PROPERTY, chosen);
        if (!chosen.equals(before) && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot configure the " + chosen + " log: " + e.getMessage(), e);
            }
        }
    }
}
