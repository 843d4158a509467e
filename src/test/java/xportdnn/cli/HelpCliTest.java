package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Help for a new user: a short usage when run bare, 'help', suggestions for a mistyped command. */
class HelpCliTest {

    @Test
    void noArgumentPrintsAShortUsagePointingToHelp() {
        CliRun run = CliRun.of();
        assertEquals(0, run.status(), run.stderr());
        assertEquals(XportCommand.SHORT_USAGE, run.stdout());
        assertTrue(run.stdout().lines().count() <= 5, run.stdout());
        assertTrue(run.stdout().contains("xportdnn --help"), run.stdout());
    }

    @Test
    void helpPrintsTheMainHelpOrACommands() {
        CliRun main = CliRun.of("help");
        assertEquals(0, main.status(), main.stderr());
        assertTrue(main.stdout().startsWith("Usage: xportdnn"), main.stdout());
        assertTrue(main.stdout().contains("--quantized_deploy_model"), main.stdout());
        CliRun validate = CliRun.of("help", "validate");
        assertEquals(0, validate.status(), validate.stderr());
        assertTrue(validate.stdout().startsWith("Usage: xportdnn validate"), validate.stdout());
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        CliRun run = CliRun.of("valdate", "--deploy_model", "x.prototxt");
        assertEquals(2, run.status());
        assertTrue(run.stderr().startsWith("xportdnn: error: "), run.stderr());
        assertTrue(run.stderr().lines().findFirst().orElseThrow().contains("did you mean 'validate'"), run.stderr());
        assertFalse(run.stderr().contains("Exception"), run.stderr());
    }

    /** Split lists are shown as their label (C,H,W), never with picocli's repeated-split syntax. */
    @Test
    void listFlagsShowTheirLabelOnly() {
        for (List<String> args : List.of(List.of("--help"), List.of("infer", "--help"),
                List.of("validate", "--help"), List.of("bench", "--help"))) {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, run.status(), run.stderr());
            assertTrue(run.stdout().contains("--dims") || args.get(0).equals("bench"), run.stdout());
            assertFalse(run.stdout().contains("]..."), args + ": " + run.stdout());
        }
    }
}
