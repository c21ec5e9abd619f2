/**
 * Load harnesses for Hark. {@link dev.hark.bench.ParkedWaitsBench} parks N workflows on far-future
 * timers and prints start throughput, heap per parked wait, thread counts and resume time.
 */
package dev.hark.bench;
