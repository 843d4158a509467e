package xportdnn.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import xportdnn.model.ModelException;

/**
 * Entry point. Without a subcommand it behaves like the original {@code XportDNN.pyc} (same flags); the
 * subcommands add what the original did not have.
 */
public final class Main {

    /** Exit status for bad input: a missing or malformed file, a wrong flag value, an unsupported layer. */
    public static final int EXIT_BAD_INPUT = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new XportCommand());
        cl.setExecutionExceptionHandler(Main::reportBadInput);
        cl.setParameterExceptionHandler(Main::reportBadFlags);
        return cl;
    }

    /** A user error becomes one line on stderr and exit 2; anything else is a bug and keeps its stack trace. */
    private static int reportBadInput(Exception e, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof ModelException) {
            cl.getErr().println("xportdnn: error: " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        throw e;
    }

    private static int reportBadFlags(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        // picocli starts some messages with its own "Error: "
        String message = e.getMessage().replaceFirst("^Error: ", "");
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            String best = unmatched.getSuggestions().get(0);
            List<String> unknown = unmatched.getUnmatched();
            if (cl.getSubcommands().containsKey(best) && !unknown.isEmpty() && !unknown.get(0).startsWith("-")) {
                message = "unknown command '" + unknown.get(0) + "'";
            }
            message += "; did you mean '" + best + "'?";
        }
        err.println("xportdnn: error: " + message);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        return EXIT_BAD_INPUT;
    }
}
