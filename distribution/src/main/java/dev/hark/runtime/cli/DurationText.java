package dev.hark.runtime.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as an operator types them: {@code 250ms}, {@code 90s}, {@code 15m}, {@code 12h}, {@code 30d}, or ISO-8601. */
final class DurationText {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private DurationText() {}

    /**
     * @param what what the duration is for, named in the error
     * @throws IllegalArgumentException saying what is accepted, for anything else or a duration that is not positive
     */
    static Duration parse(String text, String what) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Duration duration;
        try {
            Matcher matcher = WITH_UNIT.matcher(t);
            if (matcher.matches()) {
                long n = Long.parseLong(matcher.group(1));
                duration = switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                duration = Duration.parse(text.strip());
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            duration = null;
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a positive duration: a number with a unit"
                    + " (250ms, 90s, 15m, 12h, 30d) or ISO-8601 (PT30S, P30D)");
        }
        return duration;
    }

    /** For picocli options. */
    static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value, "duration");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
