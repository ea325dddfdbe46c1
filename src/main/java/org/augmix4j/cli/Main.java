package org.augmix4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The augmix4j command line: {@code train}, {@code eval}, and the tools around them. Each
 * subcommand is a picocli class with --help for every option.
 *
 * <p>Errors: every failure prints one paragraph, "error: " followed by what went wrong (naming the
 * file or flag) and what to do ({@link ErrorReport}); bad usage exits 2, other failures 1. No stack
 * trace unless {@code --debug} (accepted before or after the subcommand) or the environment
 * variable AUGMIX4J_DEBUG is set.
 */
@Command(name = "augmix4j", mixinStandardHelpOptions = true, version = "augmix4j 0.1.0",
        description = "AugMix training and corruption-robustness evaluation of WideResNets, in Java (CPU engine; CUDA backend in progress).",
        subcommands = {TrainCommand.class, EvalCommand.class, PlotCommand.class, AugmentCommand.class, ApplyCommand.class,
                CorruptCommand.class, BenchCommand.class, InfoCommand.class, SelftestCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On an error, also print the stack trace (as does the environment variable AUGMIX4J_DEBUG).")
    boolean debug;

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Builds the command line with the project's error handling (one paragraph per error, traces with --debug). */
    public static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> report(main, cmd, ex));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getColorScheme().errorText("error: " + ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
            if (main.debugging()) ex.printStackTrace(err);
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        // picocli passes only Exceptions to the handler above: Errors (out of memory, stack overflow) are caught here
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        cl.setExecutionStrategy(parse -> {
            try {
                return run.execute(parse);
            } catch (Error e) {
                CommandLine.ParseResult cmd = parse;
                while (cmd.hasSubcommand()) cmd = cmd.subcommand();
                return report(main, cmd.commandSpec().commandLine(), e);
            }
        });
        return cl;
    }

    private boolean debugging() { return debug || System.getenv("AUGMIX4J_DEBUG") != null; }

    private static int report(Main main, CommandLine cmd, Throwable t) {
        PrintWriter err = cmd.getErr();
        err.println(cmd.getColorScheme().errorText("error: " + ErrorReport.paragraph(t, cmd.getCommandSpec().qualifiedName())));
        if (main.debugging()) t.printStackTrace(err);
        err.flush();
        return 1;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = commandLine().execute(args);
        } catch (Throwable t) { // a failure outside any command (e.g. out of memory while parsing): still one paragraph
            System.err.println("error: " + ErrorReport.paragraph(t, "augmix4j"));
            if (System.getenv("AUGMIX4J_DEBUG") != null) t.printStackTrace();
            code = 1;
        }
        System.out.flush();
        if (code != 0) System.exit(code);
    }
}
