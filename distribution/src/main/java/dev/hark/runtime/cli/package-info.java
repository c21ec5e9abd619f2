/**
 * The {@code hark} command line (picocli): {@code serve} runs the standalone runtime,
 * {@code plugins list|check} inspects plugin jars, and {@code start}, {@code status},
 * {@code inspect}, {@code output}, {@code list}, {@code cancel} talk to a running server's admin API.
 *
 * <p>Exit codes: 0 success; 1 the server or the check refused (the message says why); 2 bad usage;
 * 3 the server could not be reached.
 */
package dev.hark.runtime.cli;
