package org.augmix4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.selftest.SelfChecks;
import org.augmix4j.selftest.SelfChecks.Outcome;
import org.augmix4j.selftest.SelfChecks.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code selftest}: every registered check ({@link SelfChecks#ALL}: each kernel of the shipped
 * fatbin that has a Java launcher, each cuDNN / cuBLAS op, the runtime's JPEG codec) on random
 * inputs against the CPU reference; a PASS / FAIL / SKIP table with the largest errors. Exit status
 * 1 when anything failed (with {@code --require-gpu}, also when a GPU check could not run).
 */
@Command(name = "selftest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run every GPU kernel and every cuDNN/cuBLAS op on random inputs against the CPU reference and print a"
                + " PASS/FAIL/SKIP table with the largest errors. Exits 1 on any failure.",
                "Checks that need what this machine lacks (GPU, cuDNN, cuBLAS) are skipped, saying why."})
public final class SelftestCommand implements Callable<Integer> {
    @Option(names = "--seed", description = "Seed of the random inputs (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--only", paramLabel = "REGEX", description = "Run only the checks whose name contains a match of REGEX")
    String only;

    @Option(names = "--require-gpu", description = "Count a GPU check that cannot run (no GPU, emulator, library missing) as FAIL")
    boolean requireGpu;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON to FILE (atomically)")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (json != null) OutputFiles.checkWritable("--json", json); // before the checks run
        GpuProbe probe = Gpu.probe();
        System.out.println("selftest: seed " + seed + "; " + (probe.available() ? Gpu.get().toString() : probe.toString()));
        Predicate<String> filter = only == null ? s -> true : Pattern.compile(only).asPredicate();
        List<Row> rows = SelfChecks.run(SelfChecks.ALL, seed, filter, requireGpu);
        System.out.print(SelfChecks.table(rows));
        long pass = count(rows, Outcome.PASS), fail = count(rows, Outcome.FAIL), skip = count(rows, Outcome.SKIP);
        System.out.println(pass + " passed, " + fail + " failed, " + skip + " skipped");
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("seed", seed);
            o.addProperty("device", probe.available() ? Gpu.get().toString() : probe.toString());
            JsonArray a = new JsonArray();
            for (Row r : rows) {
                JsonObject j = new JsonObject();
                j.addProperty("name", r.name());
                j.addProperty("group", r.group());
                j.addProperty("where", r.where());
                j.addProperty("result", r.outcome().name());
                if (!Double.isNaN(r.maxAbs())) j.addProperty("maxAbsError", r.maxAbs());
                if (!Double.isNaN(r.maxRel())) j.addProperty("maxRelError", r.maxRel());
                j.addProperty("tolerance", r.tolerance());
                j.addProperty("detail", r.detail());
                j.addProperty("seconds", r.seconds());
                a.add(j);
            }
            o.add("checks", a);
            OutputFiles.writeString(json, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o) + "\n");
        }
        return fail > 0 ? 1 : 0;
    }

    private static long count(List<Row> rows, Outcome o) {
        return rows.stream().filter(r -> r.outcome() == o).count();
    }
}
