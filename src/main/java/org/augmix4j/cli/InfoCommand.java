package org.augmix4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.augmix4j.cuda.CudaLibraries;
import org.augmix4j.cuda.DeviceReport;
import org.augmix4j.cuda.Fatbin;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.cuda.Kernels;
import org.augmix4j.cuda.LibrarySearch.Library;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code info}: this machine as AugMix4J sees it: Java runtime, GPU and driver (or why there is
 * none), the shipped kernels, cuDNN and cuBLAS (where found, version, and whether they are used
 * directly or through the CUDA 13 compatibility shims), and what will run where. Loads the driver
 * and the libraries to find out; needs no GPU to run.
 */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show the Java runtime, GPU, driver, CUDA/cuDNN/cuBLAS versions found, which compatibility path is in use,"
                + " emulator or real hardware, and what will run where.",
                "Library search: -Daugmix4j.cudnn=PATH / -Daugmix4j.cublas=PATH (or AUGMIX4J_CUDNN / AUGMIX4J_CUBLAS), else"
                        + " CUDA_HOME, LD_LIBRARY_PATH, pip wheels, /usr/local/cuda*, system directories (docs/gpu.md)."})
public final class InfoCommand implements Callable<Integer> {
    /** Whether {@code train} can run on the GPU in this build (train/GpuEngine). */
    static final boolean GPU_TRAINING_IN_THIS_BUILD = true;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the facts as JSON to FILE")
    Path json;

    @Option(names = "--no-libraries", description = "Do not look for or load cuDNN and cuBLAS")
    boolean noLibraries;

    @Override
    public Integer call() throws Exception {
        if (json != null) OutputFiles.checkWritable("--json", json); // before probing anything
        JsonObject facts = new JsonObject();
        StringBuilder out = new StringBuilder();
        out.append("AugMix4J ").append(version()).append('\n');
        String home = System.getProperty("augmix4j.home");
        if (home != null) {
            Path build = Path.of(home, "BUILD-INFO");
            String first = Files.isRegularFile(build) ? Files.readAllLines(build, StandardCharsets.UTF_8).stream().findFirst().orElse("") : "";
            out.append("bundle: ").append(home).append(first.isEmpty() ? "" : " (" + first + ")").append('\n');
            facts.addProperty("bundle", home);
        }
        Runtime rt = Runtime.getRuntime();
        String java = System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version") + " at " + System.getProperty("java.home");
        out.append("Java: ").append(java).append('\n');
        out.append("OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(' ')
                .append(System.getProperty("os.arch")).append(", ").append(rt.availableProcessors()).append(" CPU threads, max heap ")
                .append(rt.maxMemory() >> 20).append(" MiB\n");
        facts.addProperty("version", version());
        facts.addProperty("java", java);
        facts.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        facts.addProperty("cpuThreads", rt.availableProcessors());

        out.append("\nGPU\n");
        String device = indent(DeviceReport.summary());
        out.append(device);
        GpuProbe probe = Gpu.probe();
        JsonObject gpu = new JsonObject();
        gpu.addProperty("available", probe.available());
        if (probe.available()) {
            Gpu g = Gpu.get();
            gpu.addProperty("name", g.name());
            gpu.addProperty("computeCapability", g.computeCapability());
            gpu.addProperty("memoryMiB", g.totalMemory() >> 20);
            gpu.addProperty("driverCudaVersion", GpuProbe.versionString(g.driverVersion()));
            gpu.addProperty("emulated", g.isEmulated());
        } else {
            gpu.addProperty("problem", probe.problem());
            gpu.addProperty("fix", probe.fix());
        }
        facts.add("gpu", gpu);
        out.append("  JCuda ").append(jcuda.JCudaVersion.get()).append(" (driver API; CUDA runtime 12.6 linked statically into its JNI libraries)\n");

        out.append("\nLibraries\n");
        CudaLibraries.Status cublas = null, cudnn = null;
        if (noLibraries) {
            out.append("  not searched (--no-libraries)\n");
        } else {
            cublas = CudaLibraries.cublas();
            cudnn = CudaLibraries.cudnn();
            out.append(indent(cublas.describe())).append(indent(cudnn.describe()));
            facts.add("cublas", json(cublas));
            facts.add("cudnn", json(cudnn));
        }
        out.append(indent(shims()));

        out.append("\nWhat runs where\n");
        String where = placement(probe, cudnn, cublas);
        out.append(where);
        facts.addProperty("placement", where.strip());

        System.out.print(out);
        if (json != null) {
            OutputFiles.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(facts) + "\n");
            System.out.println("\nWrote " + json);
        }
        return 0;
    }

    static String version() {
        String v = InfoCommand.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v;
    }

    private static String indent(String text) {
        StringBuilder sb = new StringBuilder();
        for (String l : text.split("\n")) if (!l.isEmpty()) sb.append("  ").append(l).append('\n');
        return sb.toString();
    }

    private static JsonObject json(CudaLibraries.Status s) {
        JsonObject o = new JsonObject();
        o.addProperty("route", s.route().name());
        o.addProperty("summary", s.summary());
        if (s.usable()) o.addProperty("version", s.version());
        if (s.candidate() != null) {
            o.addProperty("file", s.candidate().file().toString());
            o.addProperty("source", s.candidate().source());
        }
        if (!s.usable()) {
            o.addProperty("problem", s.problem());
            o.addProperty("fix", s.fix());
        }
        com.google.gson.JsonArray notes = new com.google.gson.JsonArray();
        s.notes().forEach(notes::add);
        o.add("notes", notes);
        return o;
    }

    /** Which CUDA 13 shims this build carries. */
    static String shims() {
        Properties p = CudaLibraries.compatProperties();
        if (p.isEmpty()) {
            return "compatibility shims: none in this build (built without gcc), so cuDNN 9 / cuBLAS 13 cannot be used;"
                    + " cuDNN 8 / cuBLAS 12 still can\n";
        }
        StringBuilder sb = new StringBuilder("compatibility shims in this build (for cuDNN 9 / cuBLAS 13): ");
        String sep = "";
        for (Library l : Library.values()) {
            String name = l.fileName(l.linkedMajor());
            if (!CudaLibraries.shimShipped(l)) continue;
            String stubs = p.getProperty(name + ".stubs", "");
            sb.append(sep).append(name).append(" -> ").append(p.getProperty(name + ".target", "?")).append(" (")
                    .append(p.getProperty(name + ".functions", "?")).append(" functions")
                    .append(stubs.isBlank() ? "" : ", " + stubs.split(",").length + " stubs").append(')');
            sep = ", ";
        }
        return sb.append('\n').toString();
    }

    /** The "what runs where" section. */
    static String placement(GpuProbe probe, CudaLibraries.Status cudnn, CudaLibraries.Status cublas) {
        boolean gpu = probe.available();
        boolean emulated = gpu && Gpu.get().isEmulated();
        String device = !gpu ? null : emulated ? "the CUDA emulator (CPU threads; a test harness)" : "the GPU, " + Gpu.get().name();
        int kernels;
        try {
            kernels = Fatbin.commonKernels(Fatbin.parse(Kernels.fatbin())).size();
        } catch (RuntimeException e) {
            kernels = 0;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("  data, AugMix augmentation, corruptions, metrics: CPU (")
                .append(Runtime.getRuntime().availableProcessors()).append(" threads)\n");
        sb.append("  AugMix4J's CUDA kernels (").append(kernels).append(" in the fatbin): ")
                .append(gpu ? device : "not available: " + probe.problem()).append('\n');
        sb.append("  convolution, batch norm: ").append(library(gpu, emulated, cudnn, "AugMix4J's own CUDA kernels (slower)")).append('\n');
        sb.append("  linear layer: ").append(library(gpu, emulated, cublas, "AugMix4J's own CUDA kernel")).append('\n');
        sb.append("  train --device auto: ");
        if (!GPU_TRAINING_IN_THIS_BUILD) {
            sb.append("CPU engine (the GPU training path is not in this build yet)");
        } else {
            sb.append(gpu && !emulated ? "GPU (its per-epoch and final clean/CIFAR-C evaluation too); --device gpu forces it"
                    : emulated ? "CPU engine (auto leaves the emulator alone; --device gpu uses it)" : "CPU engine (no usable GPU)");
            sb.append("\n  eval: CPU engine (GPU evaluation runs inside train)");
        }
        return sb.append('\n').toString();
    }

    private static String library(boolean gpu, boolean emulated, CudaLibraries.Status s, String fallback) {
        if (!gpu) return "CPU engine (no usable GPU)";
        if (emulated) return fallback + " on the emulator (no vendor libraries under emulation)";
        if (s == null) return "not checked (--no-libraries)";
        if (s.usable()) return s.library().display() + " " + s.version() + " " + s.route().words();
        return fallback + " (" + s.library().display() + " not usable)";
    }
}
