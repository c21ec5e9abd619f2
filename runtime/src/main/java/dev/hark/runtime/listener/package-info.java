/**
 * What the runtime knows of a listener class: {@link dev.hark.runtime.listener.ListenerType} checks
 * its shape against the definition rules and resolves its argument and event types. Shared by the
 * DAG builder (a wait is checked where it is defined), the plugin loader (checked before it is
 * offered) and the event protocol (its instances are made from it). Not visible to plugins.
 */
package dev.hark.runtime.listener;
