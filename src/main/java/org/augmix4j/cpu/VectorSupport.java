package org.augmix4j.cpu;

/**
 * Whether the JDK's incubating Vector API ({@code jdk.incubator.vector}) is in the boot layer, and the
 * one sentence that says how to add it. The CPU training engine (Gemm, ConvEngine, ConvFilter,
 * BatchNorm) is written with it; the library packages (augment, corrupt, image) never use it.
 *
 * <p>The vector classes cannot check for themselves: the verifier loads {@code jdk.incubator.vector.Vector}
 * while linking them, before any static initialiser runs. So their entry points, {@code autograd.F} and
 * {@code ops.Conv} (which hold no vector types), call {@link #require} in their static initialiser: a JVM
 * started without {@code --add-modules jdk.incubator.vector} gets an {@link IllegalStateException} naming
 * the flag (as the cause of the ExceptionInInitializerError of the first use) instead of a bare
 * {@code NoClassDefFoundError: jdk/incubator/vector/Vector}. Calling {@code cpu.Gemm} directly still
 * gives the NoClassDefFoundError; that class is internal to the engine.
 */
public final class VectorSupport {
    private VectorSupport() {}

    /** The flag a JVM needs for the CPU training engine. */
    public static final String FLAG = "--add-modules jdk.incubator.vector";

    /** True when {@code jdk.incubator.vector} is resolved in the boot layer of this JVM. */
    public static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * Throws unless the Vector API is available.
     *
     * @param user what needs it, for the message (e.g. "the CPU GEMM")
     * @throws IllegalStateException naming the JVM flag when the module is absent
     */
    public static void require(String user) {
        if (!available()) {
            throw new IllegalStateException(user + " uses the JDK's Vector API, which this JVM was started without: run java with "
                    + FLAG + " (Maven: in .mvn/jvm.config or surefire's argLine; the augment, corrupt and image packages"
                    + " do not need it)");
        }
    }
}
