/**
 * The runtime's front door: {@link dev.hark.runtime.Hark} opens a data folder and runs, resumes,
 * inspects and cancels workflows in it.
 */
package dev.hark.runtime;
