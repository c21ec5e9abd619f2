/** The examples as programs that embed the runtime: a timer example and an HTTP example. */
package dev.hark.examples;
