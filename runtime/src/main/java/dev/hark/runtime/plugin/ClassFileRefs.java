package dev.hark.runtime.plugin;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the constant pool of a class file (JVMS §4.4) to find the method references it holds —
 * ClassGraph does not list call sites. Only the pool is read; no class is loaded.
 */
final class ClassFileRefs {

    private ClassFileRefs() {}

    /**
     * @return e.g. {@code "System.exit"} if the class refers to {@code java.lang.System.exit},
     *     {@code java.lang.Runtime.exit} or {@code java.lang.Runtime.halt}, else null
     * @throws IllegalArgumentException if the bytes are not a class file
     */
    static String exitCall(byte[] classFile) {
        ByteBuffer in = ByteBuffer.wrap(classFile);
        try {
            if (in.getInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file");
            }
            in.getShort(); // minor
            in.getShort(); // major
            int count = Short.toUnsignedInt(in.getShort());
            String[] utf8 = new String[count];
            int[] classNames = new int[count];
            int[] refClass = new int[count];
            int[] refNameAndType = new int[count];
            int[] natName = new int[count];
            boolean[] methodRef = new boolean[count];
            for (int i = 1; i < count; i++) {
                int tag = Byte.toUnsignedInt(in.get());
                switch (tag) {
                    case 1 -> {
                        int length = Short.toUnsignedInt(in.getShort());
                        byte[] text = new byte[length];
                        in.get(text);
                        // modified UTF-8; the names looked for are ASCII
                        utf8[i] = new String(text, StandardCharsets.UTF_8);
                    }
                    case 3, 4 -> in.getInt();
                    case 5, 6 -> {
                        in.getLong();
                        i++;
                    }
                    case 7 -> classNames[i] = Short.toUnsignedInt(in.getShort());
                    case 8, 16, 19, 20 -> in.getShort();
                    case 9, 10, 11 -> {
                        refClass[i] = Short.toUnsignedInt(in.getShort());
                        refNameAndType[i] = Short.toUnsignedInt(in.getShort());
                        methodRef[i] = tag != 9;
                    }
                    case 12 -> {
                        natName[i] = Short.toUnsignedInt(in.getShort());
                        in.getShort();
                    }
                    case 15 -> {
                        in.get();
                        in.getShort();
                    }
                    case 17, 18 -> in.getInt();
                    default -> throw new IllegalArgumentException("unknown constant pool tag " + tag + " at " + i);
                }
            }
            for (int i = 1; i < count; i++) {
                if (!methodRef[i]) {
                    continue;
                }
                String owner = at(utf8, at(classNames, refClass[i]));
                String name = at(utf8, at(natName, refNameAndType[i]));
                if ("java/lang/System".equals(owner) && "exit".equals(name)) {
                    return "System.exit";
                }
                if ("java/lang/Runtime".equals(owner) && ("exit".equals(name) || "halt".equals(name))) {
                    return "Runtime." + name;
                }
            }
            return null;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated class file", e);
        }
    }

    private static int at(int[] table, int index) {
        return index > 0 && index < table.length ? table[index] : 0;
    }

    private static String at(String[] table, int index) {
        return index > 0 && index < table.length ? table[index] : null;
    }
}
