package dev.hark.tck.selftest;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts a second copy of a class on the class path, as a second jar holding the same class would:
 * a class loader over a folder with a copy of the class file, whose parent sees the original, and
 * which defines the class from its own copy.
 */
final class SecondCopy {

    private SecondCopy() {}

    @SuppressWarnings("unchecked")
    static <A, E extends Event> Class<? extends EventListener<A, E>> of(Class<?> original) {
        String resource = original.getName().replace('.', '/') + ".class";
        try (InputStream in = original.getClassLoader().getResourceAsStream(resource)) {
            Path folder = Files.createTempDirectory("hark-second-copy-");
            Path copy = folder.resolve(resource);
            Files.createDirectories(copy.getParent());
            Files.write(copy, in.readAllBytes());
            folder.toFile().deleteOnExit();
            ClassLoader loader =
                    new OwnCopyFirst(original.getName(), folder.toUri().toURL(), original.getClassLoader());
            return (Class<? extends EventListener<A, E>>) loader.loadClass(original.getName());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Defines {@code name} from its own folder; every other class comes from the parent. */
    private static final class OwnCopyFirst extends URLClassLoader {
        private final String name;

        OwnCopyFirst(String name, URL folder, ClassLoader parent) {
            super(new URL[] {folder}, parent);
            this.name = name;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (!className.equals(name)) {
                return super.loadClass(className, resolve);
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> loaded = findLoadedClass(className);
                return loaded != null ? loaded : findClass(className);
            }
        }
    }
}
