package org.augmix4j.data;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A dataset's files are not where we looked; the message lists the places tried and how to get them. */
public final class MissingDataException extends DataException {
    private final List<Path> lookedFor;

    public MissingDataException(String dataset, String missing, List<Path> lookedFor, String howToGet) {
        this(dataset, missing, lookedFor, howToGet, "--data");
    }

    /** {@code flag} is the CLI option that names the directory (--data, or --corrupted for the -C sets). */
    public MissingDataException(String dataset, String missing, List<Path> lookedFor, String howToGet, String flag) {
        super(dataset + ": " + missing + " not found. Looked for:\n"
                + lookedFor.stream().map(p -> "  " + p.toAbsolutePath().normalize()).collect(Collectors.joining("\n"))
                + "\n" + howToGet + " (see " + README + "), or pass " + flag + " DIR pointing at the directory that holds it.");
        this.lookedFor = List.copyOf(lookedFor);
    }

    /** The paths that were tried, in order. */
    public List<Path> lookedFor() { return lookedFor; }
}
