package dev.hark.runtime.storage;

/**
 * Counters since the store opened.
 *
 * @param writes writes applied
 * @param commits transactions committed; each is one flush to disk, so writes / commits is the
 *     group-commit factor
 */
public record StoreStats(long writes, long commits) {}
