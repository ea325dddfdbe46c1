package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.augmix4j.data.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main's error paths: every failure is one "error: ..." paragraph naming the problem and the fix,
 * without a stack trace unless --debug; Errors (out of memory, stack overflow) and programming
 * exceptions become sentences too. A throwing subcommand stands in for a command that fails.
 */
class MainErrorsTest {
    /** A subcommand that throws what it is given. */
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        final Throwable t;

        Boom(Throwable t) { this.t = t; }

        @Override
        public Integer call() throws Exception {
            if (t instanceof Error e) throw e;
            throw (Exception) t;
        }
    }

    /** Runs {@code boom} (throwing {@code t}) through Main's command line with {@code args}. */
    private static CliRun run(Throwable t, String... args) {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand(new CommandLine(new Boom(t)));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, "", err.toString());
    }

    private static void oneParagraph(CliRun r) {
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug: " + r.err());
    }

    @Test
    void outOfMemoryIsASentenceWithTheFix() {
        CliRun r = run(new OutOfMemoryError("Java heap space"), "boom");
        oneParagraph(r);
        assertTrue(r.err().contains("out of memory while running 'augmix4j boom'"), r.err());
        assertTrue(r.err().contains("raise -Xmx") && r.err().contains("lower --batch-size"), r.err());
    }

    @Test
    void stackOverflowIsASentence() {
        CliRun r = run(new StackOverflowError(), "boom");
        oneParagraph(r);
        assertTrue(r.err().contains("stack overflow while running 'augmix4j boom'") && r.err().contains("-Xss"), r.err());
    }

    @Test
    void programmingErrorsSayUnexpectedAndPointToDebug() {
        CliRun npe = run(new NullPointerException(), "boom");
        oneParagraph(npe);
        assertTrue(npe.err().contains("java.lang.NullPointerException (unexpected NullPointerException while running 'augmix4j boom'"),
                npe.err());
        assertTrue(npe.err().contains("rerun with --debug"), npe.err());
        CliRun ise = run(new IllegalStateException("tensor is I64, not F32"), "boom");
        oneParagraph(ise);
        assertTrue(ise.err().contains("IllegalStateException: tensor is I64, not F32 (unexpected IllegalStateException"), ise.err());
    }

    @Test
    void theProjectsOwnMessagesArePrintedAsTheyAre() {
        CliRun r = run(new DataException("x.bin: truncated. Download it again"), "boom");
        oneParagraph(r);
        assertEquals("error: x.bin: truncated. Download it again", r.err().strip());
        // a wrapper without a message of its own is peeled off
        CliRun w = run(new java.io.UncheckedIOException(new java.io.IOException("cannot write out.png: disk full")), "boom");
        assertEquals("error: cannot write out.png: disk full", w.err().strip());
    }

    @Test
    void debugBeforeOrAfterTheSubcommandPrintsTheTrace() {
        for (String[] args : new String[][] {{"--debug", "boom"}, {"boom", "--debug"}}) {
            CliRun r = run(new OutOfMemoryError("Java heap space"), args);
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().startsWith("error: out of memory"), r.err());
            assertTrue(r.err().contains("java.lang.OutOfMemoryError: Java heap space") && r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void badUsageIsOneParagraphWithTheHelpHint() {
        CliRun r = CliRun.of("apply", "--no-such-flag");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: Unknown option: '--no-such-flag'"), r.err());
        assertTrue(r.err().contains("Run 'augmix4j apply --help' for the options."), r.err());
        assertFalse(r.err().contains("Usage:"), "no full usage dump: " + r.err());
    }

    @Test
    void aDamagedCheckpointNamesTheFileThroughTheRealCommand(@TempDir Path dir) throws Exception {
        byte[] h = "[1, 2]".getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array());
        CliRun r = CliRun.of("eval", "--checkpoint", f.toString(), "--dataset", "synthetic", "--corrupted", "none");
        oneParagraph(r);
        assertTrue(r.err().contains(f + ": not a valid safetensors file: header is an array, not a JSON object"), r.err());
    }
}
