/**
 * Plugins: finding {@link dev.hark.api.EventListener}s and
 * {@link dev.hark.workflow.WorkflowDefinition}s on the application class path and in a
 * plugins folder, checking them against the rules of {@code docs/SPEC.md} before they are used, and
 * isolating each plugin in its own class loader.
 *
 * <p>Layout of a plugins folder: {@code plugins/<name>/} (every jar inside, at any depth, belongs to
 * plugin {@code <name>}) or a single {@code plugins/<name>.jar}. Each plugin gets one
 * {@link dev.hark.runtime.plugin.PluginClassLoader}: child-first, with only the packages listed in
 * {@link dev.hark.runtime.plugin.SharedPackages} taken from the runtime, so two plugins may bundle
 * different versions of a library and neither can reach the runtime's internal classes.
 *
 * <p>{@link dev.hark.runtime.plugin.PluginLoader#load} checks every plugin in two stages. First its
 * bytecode is read with ClassGraph, before any plugin code runs (L1.1, L1.2, L1.3, L2.1, L1.10).
 * Then its registered providers are loaded through the plugin's own loader: argument and event types
 * are resolved and tried with Jackson (L1.4, L1.5), one instance is created (L1.7, L1.10),
 * definition names are validated (L1.11), and ids are compared with every plugin loaded before
 * (L1.8, L1.11). A plugin with any problem is refused as a whole; the others load. The result,
 * a {@link dev.hark.runtime.plugin.PluginSet}, carries the loaded plugins, one report line per
 * problem, and the class loader to give {@code Hark.builder().classLoader(...)}.
 */
package dev.hark.runtime.plugin;
