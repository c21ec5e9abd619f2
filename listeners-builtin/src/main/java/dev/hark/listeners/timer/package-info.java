/**
 * Timers as events: {@link dev.hark.listeners.timer.TimerListener} fires at an absolute instant, and
 * the runtime's {@code sleep(Duration)} is built on it.
 */
package dev.hark.listeners.timer;
