package org.augmix4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Loads a JCuda JNI library from a private directory instead of the shared {@code java.io.tmpdir}.
 *
 * <p>JCuda extracts {@code /lib/libJCudaDriver-12.6.0-linux-x86_64.so} from the classpath into
 * {@code java.io.tmpdir} and silently reuses any file of that name it finds there, stale or foreign
 * (jcuda's LibUtils.java extracts only when the file does not exist yet). Here the library is extracted into
 * {@code <tmpdir>/augmix4j-jcuda-<user>/<sha256 of its bytes>/}, checked byte for byte against the
 * classpath copy before each use, and {@code java.io.tmpdir} points there only while JCuda loads it.
 */
final class JCudaNatives {
    private JCudaNatives() {}

    /**
     * Runs {@code init} (the first touch of a JCuda class, whose static initialiser loads
     * {@code baseName}, e.g. "JCudaDriver") with the verified private copy in place.
     */
    static synchronized void load(String baseName, Runnable init) {
        load(baseName, null, init);
    }

    /**
     * As {@link #load(String, Runnable)}; when the classpath has no {@code baseName} library for
     * JCuda's version but one for {@code fallbackVersion}, that one is extracted under the name
     * JCuda looks for. This is the JCudnn native-name fix: JCudnn 11.7.0's classes ask for
     * {@code libJCudnn-<JCuda version, 12.6.0>-linux-x86_64.so} but its natives jar holds only the
     * 11.7.0 file (the JNI symbol names do not depend on the file name; JCudnn.initialize() builds the
     * name from JCudaVersion.get()). LibUtils loads an existing file of that name from {@code java.io.tmpdir} without
     * needing the resource.
     *
     * @return the classpath file that was loaded, e.g. {@code libJCudnn-11.7.0-linux-x86_64.so},
     *         or null when none was found (JCuda then reports the missing library itself)
     */
    static synchronized String load(String baseName, String fallbackVersion, Runnable init) {
        String file = fileName(baseName, jcuda.JCudaVersion.get());
        String tmp = System.getProperty("java.io.tmpdir");
        Path dir = null;
        String source = null;
        try {
            for (String candidate : fallbackVersion == null ? new String[] {file}
                    : new String[] {file, fileName(baseName, fallbackVersion)}) {
                try (InputStream in = JCudaNatives.class.getResourceAsStream("/lib/" + candidate)) {
                    if (in == null) continue;
                    dir = extract(in.readAllBytes(), Path.of(tmp), file);
                    source = candidate;
                    break;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the JCuda native library " + file + " to a private"
                    + " directory under " + tmp + ": " + e.getMessage() + ". Fix: make java.io.tmpdir writable,"
                    + " e.g. -Djava.io.tmpdir=/path/to/dir", e);
        }
        if (dir != null) System.setProperty("java.io.tmpdir", dir.toString());
        try {
            init.run();  // no classpath copy: JCuda reports the missing library itself
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }
        return source;
    }

    /** {@code libJCudnn-11.7.0-linux-x86_64.so} for ("JCudnn", "11.7.0"). */
    static String fileName(String baseName, String version) {
        return System.mapLibraryName(jcuda.LibUtils.createPlatformLibraryName(baseName + "-" + version));
    }

    /**
     * Writes {@code bytes} as {@code file} into this user's private, content-addressed directory
     * under {@code java.io.tmpdir} (reusing an identical copy) and returns the file's path; for
     * libraries we load ourselves by absolute path (the compatibility shims).
     */
    static Path extractFile(byte[] bytes, String file) throws IOException {
        return extract(bytes, Path.of(System.getProperty("java.io.tmpdir")), file).resolve(file);
    }

    private static Path extract(byte[] bytes, Path tmp, String file) throws IOException {
        String sha = FatbinInputs.sha256(bytes), user = System.getProperty("user.name", "user");
        Path base = tmp.resolve("augmix4j-jcuda-" + user);
        Files.createDirectories(base);
        if (!Files.getOwner(base).getName().equals(user)) {
            base = Files.createTempDirectory(tmp, "augmix4j-jcuda-");  // someone else's: use a fresh one
        }
        try {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the byte check below still guards what is loaded
        }
        Path dir = Files.createDirectories(base.resolve(sha.substring(0, 16)));
        Path target = dir.resolve(file);
        if (Files.isRegularFile(target) && sha.equals(FatbinInputs.sha256(Files.readAllBytes(target)))) return dir;
        Path part = Files.createTempFile(dir, file, ".part");
        Files.write(part, bytes);
        try {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }
}
