/**
 * JSON as the runtime persists it: one configured Jackson mapper, and the envelope that stores a
 * value together with the Java type to read it back as in another JVM.
 */
package dev.hark.runtime.json;
