package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output files are checked before the work and written atomically: an existing file survives a
 * write that fails (simulated by a failing encoder and by a rename that cannot happen, both of which
 * fail as root too), no temporary file is left, and unwritable paths fail early naming the path.
 */
class OutputFilesTest {
    @TempDir Path dir;

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void anExistingFileSurvivesAWriteThatFailsHalfWay() throws IOException {
        Path f = dir.resolve("report.json");
        Files.writeString(f, "previous contents");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> OutputFiles.write(f, out -> {
            out.write("{\"half\": ".getBytes());
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains("cannot write " + f) && e.getMessage().contains("No space left on device"), e.getMessage());
        assertEquals("previous contents", Files.readString(f));
        assertEquals(1, filesIn(dir), "the temporary file is removed");
    }

    @Test
    void aRenameThatCannotHappenLeavesTheTargetAndNoTemporaryFile() throws IOException {
        // a non-empty directory where the file should go: the final rename fails, for root too
        Path target = dir.resolve("grid.png");
        Files.createDirectories(target.resolve("keep"));
        assertThrows(UncheckedIOException.class, () -> OutputFiles.writeString(target, "png bytes"));
        assertTrue(Files.isDirectory(target.resolve("keep")));
        assertEquals(1, filesIn(dir));
    }

    @Test
    void writesReplaceCompletely() throws IOException {
        Path f = dir.resolve("a/b/out.png");
        OutputFiles.writePng(f, 1, 2, new byte[] {1, 2, 3, 4, 5, 6});
        PngImages.Rgb back = PngImages.read(f);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, back.pixels());
        OutputFiles.writePng(f, 1, 1, new byte[] {9, 9, 9});
        assertEquals(1, PngImages.read(f).width());
    }

    @Test
    void unwritablePathsFailEarlyNamingThePath() throws IOException {
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputFiles.checkWritable("--out", blocker.resolve("sub/out.png")));
        assertTrue(e.getMessage().startsWith("--out " + blocker.resolve("sub/out.png") + ": " + blocker + " is a file, not a directory"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OutputFiles.checkWritable("--json", dir));
        assertTrue(e.getMessage().contains("--json " + dir + " is a directory"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OutputFiles.checkWritableDirectory("--out", blocker));
        assertTrue(e.getMessage().contains("--out " + blocker + " is a file"), e.getMessage());
        OutputFiles.checkWritable("--out", dir.resolve("new/dirs/out.png")); // missing directories are fine: they are created
    }

    @Test
    void aReadOnlyDirectoryFailsEarly() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root may write anywhere: nothing to check");
        Path ro = Files.createDirectories(dir.resolve("ro"));
        assertTrue(ro.toFile().setWritable(false));
        try {
            Assumptions.assumeFalse(Files.isWritable(ro), "this file system ignores permissions");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OutputFiles.checkWritable("--out", ro.resolve("x.png")));
            assertTrue(e.getMessage().contains("the directory " + ro + " is not writable"), e.getMessage());
        } finally {
            ro.toFile().setWritable(true);
        }
    }

    @Test
    void commandsRefuseAnUnwritableOutputBeforeWorking() throws IOException {
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file");
        Path in = dir.resolve("in.png");
        OutputFiles.writePng(in, 2, 2, new byte[12]);
        Path out = blocker.resolve("out.png");
        CliRun r = CliRun.of("apply", "--op", "rotate", "--param", "5", "--in", in.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("--out " + out + ": " + blocker + " is a file") && r.err().contains("nothing was processed"), r.err());

        r = CliRun.of("augment", "--views", "1", "--out", out.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("augment: --out " + out + ": " + blocker + " is a file"), r.err());

        r = CliRun.of("selftest", "--only", "no-such-check", "--json", out.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: --json " + out + ": " + blocker + " is a file"), r.err());
        assertFalse(r.out().contains("passed"), "no check ran: " + r.out());

        r = CliRun.of("corrupt", "--dataset", "synthetic", "--out", blocker.resolve("c").toString(), "--corruptions", "fog");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("--out " + blocker.resolve("c") + ": " + blocker + " is a file"), r.err());
        assertEquals("a file", Files.readString(blocker));
    }
}
