/**
 * The exactly-once protocol that drives one wait: poll, durable checkpoint with its claims,
 * hand-off, commit ({@code EventTask}); the context a listener is given ({@code ListenerContext});
 * the inbox that routes sent messages to waits; the single timer thread every pending timer
 * shares. Internal: nothing here is API.
 */
package dev.hark.runtime.protocol;
