package org.augmix4j.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fatbin's recorded inputs ({@code augmix4j.fatbin.inputs}, written by kernels/build.sh): a
 * {@code source NAME SHA256} line per kernels/*.cu and *.cuh, the {@code nvcc} version line, the
 * {@code flags}, then {@code inputs-sha256} (sha256 of those lines) and {@code fatbin-sha256}.
 * {@link #expectedFor} recomputes the hash from a kernels/ directory, so a stale fatbin is found
 * without nvcc (kernels/check.sh does the same in bash, with nvcc's own version line).
 */
public record FatbinInputs(List<String> hashedLines, String inputsSha256, String fatbinSha256) {

    public static FatbinInputs parse(String text) {
        List<String> lines = new ArrayList<>();
        String inputs = null, fatbin = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("inputs-sha256 ")) inputs = line.substring(14).trim();
            else if (line.startsWith("fatbin-sha256 ")) fatbin = line.substring(14).trim();
            else if (line.startsWith("source ") || line.startsWith("nvcc ") || line.startsWith("flags ")) lines.add(line);
        }
        if (inputs == null || fatbin == null) throw new IllegalArgumentException("augmix4j.fatbin.inputs lacks its hash lines");
        return new FatbinInputs(List.copyOf(lines), inputs, fatbin);
    }

    /** sha256 of the hashed lines as recorded (each ending in a newline). */
    public String recomputedSha256() { return sha256Lines(hashedLines); }

    /**
     * The hashed lines for the sources now in {@code kernelsDir}, with this record's nvcc and flags
     * lines (which only nvcc can check).
     */
    public List<String> expectedFor(Path kernelsDir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(kernelsDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh"))
                    .sorted((a, c) -> a.getFileName().toString().compareTo(c.getFileName().toString())).toList()) {
                lines.add("source " + f.getFileName() + " " + sha256(Files.readAllBytes(f)));
            }
        }
        hashedLines.stream().filter(l -> !l.startsWith("source ")).forEach(lines::add);
        return lines;
    }

    static String sha256Lines(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        return sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Lower-case hex sha256. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
