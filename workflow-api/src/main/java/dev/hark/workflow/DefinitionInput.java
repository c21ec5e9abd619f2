package dev.hark.workflow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * Reads numbers from a {@link WorkflowDefinition}'s input without surprises: a value out of range
 * or with more precision than asked for is refused with an {@link IllegalArgumentException}
 * naming the field (the admin API answers 400 with its message), never overflowed, clamped or
 * truncated.
 */
public final class DefinitionInput {

    private DefinitionInput() {}

    /**
     * @param fallback the value when {@code field} is absent or null
     * @param max the largest value taken
     * @return {@code field} as a duration in seconds, fractions honoured down to the nanosecond
     * @throws IllegalArgumentException if it is not a number, negative, above {@code max}, or finer
     *     than a nanosecond
     */
    public static Duration seconds(Map<String, Object> input, String field, Duration fallback, Duration max) {
        Object value = input.get(field);
        if (value == null) {
            return fallback;
        }
        BigDecimal seconds = decimal(value, field, "a number of seconds");
        BigDecimal limit = new BigDecimal(max.getSeconds()).add(BigDecimal.valueOf(max.getNano(), 9));
        if (seconds.signum() < 0 || seconds.compareTo(limit) > 0) {
            throw new IllegalArgumentException(
                    field + " must be a number of seconds from 0 to " + limit.toPlainString() + "; was " + value);
        }
        BigDecimal nanos = seconds.movePointRight(9);
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(
                    field + " has more than 9 decimal places (finer than a nanosecond); was " + value);
        }
        BigInteger[] split = nanos.toBigIntegerExact().divideAndRemainder(BigInteger.valueOf(1_000_000_000));
        return Duration.ofSeconds(split[0].longValueExact(), split[1].longValueExact());
    }

    /**
     * @return {@code field} as a whole number from {@code min} to {@code max}, or {@code fallback} when absent
     * @throws IllegalArgumentException if it is not a number, has a fraction, or is out of range
     */
    public static long integer(Map<String, Object> input, String field, long fallback, long min, long max) {
        Object value = input.get(field);
        if (value == null) {
            return fallback;
        }
        BigDecimal number = decimal(value, field, "a whole number");
        if (number.stripTrailingZeros().scale() > 0
                || number.compareTo(BigDecimal.valueOf(min)) < 0
                || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new IllegalArgumentException(
                    field + " must be a whole number from " + min + " to " + max + "; was " + value);
        }
        return number.longValueExact();
    }

    private static BigDecimal decimal(Object value, String field, String what) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof BigInteger integer) {
            return new BigDecimal(integer);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException(field + " must be " + what + "; was " + value);
            }
            return new BigDecimal(value.toString());
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        throw new IllegalArgumentException(field + " must be " + what + "; was "
                + (value instanceof String s ? "the string \"" + s + "\"" : value));
    }
}
