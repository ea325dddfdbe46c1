package org.augmix4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns whatever a command threw into the one paragraph the command line prints: the project's
 * own exceptions (data, CUDA, I/O, bad arguments) already carry a sentence naming the file or flag
 * and the fix, and are printed as they are; resource exhaustion (out of memory, stack overflow) and
 * programming errors (NullPointerException, ClassCast, IllegalState...) get a sentence saying what
 * happened, in which command, and what to do, with {@code --debug} pointed to for the stack trace.
 */
final class ErrorReport {
    private ErrorReport() {}

    /** The error paragraph (without the "error: " prefix) for {@code t} thrown while running {@code command}. */
    static String paragraph(Throwable t, String command) {
        Throwable e = rootOf(t);
        String where = "while running '" + command + "'";
        if (e instanceof OutOfMemoryError) {
            return "out of memory " + where + " (Java heap limit " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB); raise -Xmx "
                    + "(e.g. JAVA_OPTS=-Xmx8g) or lower --batch-size / --eval-batch-size (or use fewer images, e.g. --limit where the "
                    + "command has it)";
        }
        if (e instanceof StackOverflowError) {
            return "stack overflow " + where + " (an input nested too deeply, or a bug); raise the thread stack size (e.g. "
                    + "JAVA_OPTS=-Xss16m), and rerun with --debug to see where it happened";
        }
        if (e instanceof Error) {
            return "internal error " + where + ": " + describe(e) + "; the installation may be incomplete or mix versions. Rerun with "
                    + "--debug and report the stack trace";
        }
        if (expected(e)) return e.getMessage();
        return describe(e) + " (unexpected " + e.getClass().getSimpleName() + " " + where + "; this is a bug or an input the "
                + "program does not check: rerun with --debug for the stack trace and report it)";
    }

    /** The exception that says what went wrong: wrappers without a message of their own are peeled off. */
    static Throwable rootOf(Throwable t) {
        Throwable e = t;
        while (e.getCause() != null && e.getCause() != e
                && (e instanceof UncheckedIOException || e instanceof java.util.concurrent.ExecutionException
                    || e instanceof java.lang.reflect.InvocationTargetException || e.getMessage() == null)) {
            e = e.getCause();
        }
        return e;
    }

    /** Exceptions whose message was written for the user: the project's own, I/O failures and argument errors. */
    private static boolean expected(Throwable e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) return false;
        if (e.getClass().getName().startsWith("org.augmix4j.")) return true;
        return e instanceof IOException || e instanceof UncheckedIOException || e.getClass() == IllegalArgumentException.class;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + m;
    }
}
