package org.augmix4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The augmix4j command line: {@code train}, {@code eval}, and the tools around them. Each
 * subcommand is a picocli class with --help for every option.
 */
@Command(name = "augmix4j", mixinStandardHelpOptions = true, version = "augmix4j 0.1.0",
        description = "AugMix training and corruption-robustness evaluation of WideResNets, in Java (CPU engine; CUDA backend in progress).",
        subcommands = {TrainCommand.class, EvalCommand.class, PlotCommand.class, AugmentCommand.class, ApplyCommand.class,
                CorruptCommand.class, BenchCommand.class, InfoCommand.class, SelftestCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Builds the command line with the project's error handling (clear one-line messages). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            Throwable t = ex;
            while (t.getCause() != null && (t instanceof java.io.UncheckedIOException || t.getMessage() == null)) t = t.getCause();
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + t.getMessage()));
            if (System.getenv("AUGMIX4J_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.out.flush();
        if (code != 0) System.exit(code);
    }
}
