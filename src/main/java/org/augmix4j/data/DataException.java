package org.augmix4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A dataset file is missing, unreadable or not what it should be. The message always names the
 * file, what was expected, what was found, and what to do about it, so the CLI can print it as is.
 */
public class DataException extends RuntimeException {
    /** Where users are sent for download instructions. */
    public static final String README = "data/README.md";

    public DataException(String message) { super(message); }

    public DataException(String message, Throwable cause) { super(message, cause); }

    /** "FILE: PROBLEM. FIX" for a file that exists but is wrong. */
    public static DataException badFile(Path file, String problem, String fix) {
        return new DataException(file + ": " + problem + ". " + fix);
    }

    /** An I/O failure on {@code file}: "no such file" with the download hint, or the system's reason. */
    public static DataException ioFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DataException(file + ": no such file. Check the path, or get the data (see " + README + ")", e);
        }
        return new DataException(file + ": cannot read: " + e + ". Check the path and its permissions", e);
    }

    /** The whole file, or a DataException saying why not. */
    static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw ioFailure(file, e);
        } catch (OutOfMemoryError e) {
            throw new DataException(file + ": too large to read into memory; raise the heap (-Xmx)", e);
        }
    }

    /** {@link #badFile} with the usual advice for a damaged download. */
    public static DataException badFile(Path file, String problem) {
        return badFile(file, problem, "The file is damaged or not the published one: download it again (see "
                + README + ")");
    }
}
