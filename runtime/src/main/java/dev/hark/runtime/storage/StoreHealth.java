package dev.hark.runtime.storage;

/**
 * Whether the store takes writes: not writable from a write batch that failed on the medium (disk
 * full, read-only, I/O error) until a batch commits again.
 *
 * @param reason why not, or null when writable
 */
public record StoreHealth(boolean writable, String reason) {

    public static final StoreHealth WRITABLE = new StoreHealth(true, null);

    public static StoreHealth failing(String reason) {
        return new StoreHealth(false, reason);
    }
}
