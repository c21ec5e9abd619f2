package dev.hark.runtime.event;

/**
 * What a sender's idempotency key may be: 1 to 255 printable ASCII characters (space to tilde),
 * the shape of the HTTP {@code Idempotency-Key} header's usual values (UUIDs, ULIDs, hashes).
 */
public final class IdempotencyKeys {

    public static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {}

    /** @return why {@code key} is not a valid idempotency key, or null if it is (or is null: no key) */
    public static String problem(String key) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > MAX_LENGTH) {
            return "an idempotency key must be 1 to " + MAX_LENGTH + " characters long, was " + key.length();
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "an idempotency key must be printable ASCII (space to '~'); character " + (i + 1) + " is U+"
                        + String.format("%04X", (int) c);
            }
        }
        return null;
    }
}
