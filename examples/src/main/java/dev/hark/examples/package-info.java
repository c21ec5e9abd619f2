/** Runnable versions of the seed's examples. */
package dev.hark.examples;
