package xportdnn.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import xportdnn.engine.NativeBuild;
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

    /** Exit status for a bug in xportdnn (BSD's EX_SOFTWARE): an exception that is not a {@link ModelException}. */
    public static final int EXIT_INTERNAL_ERROR = 70;

    private static final String DEBUG = "--debug";

    /** Runs the command line, printing to System.out and System.err, and returns the exit status. */
    public static int run(String... args) {
        return run(commandLine(), args);
    }

    /**
     * Runs the command line, printing its output to {@code out} and its messages to {@code err}, and returns the exit
     * status (tests call this, to see what the CLI printed apart from anything else in the process).
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return run(cl, args);
    }

    private static int run(CommandLine cl, String[] args) {
        try {
            NativeBuild.apply(); // before anything loads ND4J
        } catch (ModelException e) {
            cl.getErr().println("xportdnn: error: " + oneLine(e.getMessage()));
            cl.getErr().flush();
            return EXIT_BAD_INPUT;
        }
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes Errors on; the memory is free again once the run's arrays are unreachable
            cl.getErr().println(outOfMemory(e));
            if (Arrays.asList(args).contains(DEBUG)) { // (the parse result is not at hand here)
                e.printStackTrace(cl.getErr());
            }
            cl.getErr().flush();
            return EXIT_BAD_INPUT;
        }
    }

    /**
     * The line for an OutOfMemoryError: the Java heap's (more -Xmx helps), or JavaCPP's limit on the process's
     * resident memory ({@code maxPhysicalBytes}, which the launcher sets from the memory available when it starts;
     * JavaCPP reports it as the cause of a "Cannot allocate new ...Pointer"): more heap does not help there.
     */
    static String outOfMemory(OutOfMemoryError e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("maxPhysicalBytes")) {
                return "xportdnn: error: out of memory (" + t.getMessage() + "): the run needs more memory than "
                        + "the machine had available when it started (the xportdnn launcher's limit is 90% of that, "
                        + "or of a cgroup's limit); free some, set the limit yourself (e.g. XPORTDNN_JAVA_OPTS="
                        + "-Dorg.bytedeco.javacpp.maxphysicalbytes=12g), or use a smaller --batch";
            }
        }
        return "xportdnn: error: out of memory (" + e.getMessage() + "); give Java more with -Xmx (with the xportdnn "
                + "launcher: XPORTDNN_JAVA_OPTS=-Xmx4g), or use a smaller --batch";
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new XportCommand());
        cl.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder(DEBUG)
                .description("On an error, also print the Java stack trace.")
                .scopeType(CommandLine.ScopeType.INHERIT).build());
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --quant_type dynamicfixed as the user typed it
        cl.setExecutionExceptionHandler(Main::reportBadInput);
        cl.setParameterExceptionHandler(Main::reportBadFlags);
        return cl;
    }

    /**
     * A user error becomes one line on stderr and exit 2; anything else is a bug: one line naming it and exit 70.
     * With {@code --debug} the stack trace follows either line.
     */
    private static int reportBadInput(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int status;
        if (e instanceof ModelException) {
            err.println("xportdnn: error: " + oneLine(e.getMessage()));
            status = EXIT_BAD_INPUT;
        } else {
            err.println("xportdnn: internal error (a bug in xportdnn): " + e.getClass().getName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""))
                    + (debug(parsed) ? "" : "; --debug prints the stack trace"));
            status = EXIT_INTERNAL_ERROR;
        }
        if (debug(parsed)) {
            e.printStackTrace(err);
        }
        err.flush();
        return status;
    }

    private static boolean debug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(DEBUG)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code text} on one line: its line breaks written as {@code \n} and {@code \r}, so that an error echoing an
     * argument or a file's text that holds one stays the one line it promises.
     */
    static String oneLine(String text) {
        return String.valueOf(text).replace("\r", "\\r").replace("\n", "\\n");
    }

    /** A bad flag or flag value: one line naming it, pointing to the command's --help; exit 2. */
    private static int reportBadFlags(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        // picocli starts some messages with its own "Error: ", and some span lines
        String message = e.getMessage().replaceFirst("^Error: ", "").strip().replaceAll("\\s*\\R\\s*", "; ");
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            String best = unmatched.getSuggestions().get(0);
            List<String> unknown = unmatched.getUnmatched();
            if (cl.getSubcommands().containsKey(best) && !unknown.isEmpty() && !unknown.get(0).startsWith("-")) {
                message = "unknown command '" + oneLine(unknown.get(0)) + "'";
            }
            message += "; did you mean '" + best + "'?";
        }
        err.println("xportdnn: error: " + message + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return EXIT_BAD_INPUT;
    }
}
