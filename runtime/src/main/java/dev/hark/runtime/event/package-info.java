/**
 * Event tasks: the exactly-once protocol that drives one wait (poll, durable checkpoint, hand-off,
 * commit), the context a listener is given, listener type checks, and the single timer thread
 * that every pending timer shares.
 */
package dev.hark.runtime.event;
