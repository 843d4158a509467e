package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ThresholdCommandTest {

    /** The first line is the threshold tools/kl_j_reference.py (numpy, section A) computed for the same array. */
    @Test
    void printsTheKlJThresholdOfAnArray() throws Exception {
        String expected = Files.readAllLines(Path.of("testdata/klj/expected.tsv")).stream()
                .filter(l -> l.startsWith("testdata\trelu_laplace\t8\t")).findFirst().orElseThrow().split("\t")[4];
        CliRun run = CliRun.of("threshold", "--method", "kl-j", "--bitwidth", "8", "--input",
                "testdata/klj/relu_laplace.npy");
        assertEquals(0, run.status(), run.stderr());
        assertEquals(Double.parseDouble(expected), Double.parseDouble(run.stdout().lines().findFirst().orElseThrow()),
                1e-8 * Double.parseDouble(expected));
        assertTrue(run.stdout().contains("# method kl-j, 8 bits, 20000 values"), run.stdout());
    }

    @Test
    void maxOfAnArrayClipsNothing() {
        CliRun run = CliRun.of("threshold", "--method", "max", "--input", "testdata/klj/few_bins.npy");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().contains("clipped 0.000000%"), run.stdout());
    }

    @Test
    void badArgumentsExitTwo() {
        assertEquals(2, CliRun.of("threshold", "--method", "nope", "--input", "testdata/klj/few_bins.npy").status());
        CliRun missing = CliRun.of("threshold", "--input", "testdata/klj/absent.npy");
        assertEquals(2, missing.status());
        assertTrue(missing.stderr().contains("absent.npy"), missing.stderr());
        assertEquals(2, CliRun.of("threshold").status());
    }

    /** Before: the errors named the export's --threshold_method, a flag threshold does not have. */
    @Test
    void aBadMethodIsNamedByThisCommandsFlag() {
        CliRun unknown = CliRun.of("threshold", "--method", "nope", "--input", "testdata/klj/few_bins.npy");
        unknown.assertRefused("xportdnn: error: --method: unknown method 'nope' (choose one of kl-j, kl, max");
        CliRun percentile = CliRun.of("threshold", "--method", "percentile:x", "--input", "testdata/klj/few_bins.npy");
        percentile.assertRefused("xportdnn: error: --method: percentile:P needs a number P, got 'x'");
    }

    /** Before: an empty array printed the threshold 0 (which CHaiDNN divides by) and exit 0. */
    @Test
    void anEmptyArrayHasNoThreshold() {
        CliRun run = CliRun.of("threshold", "--method", "kl-j", "--input", "testdata/npy/f4_12345x0.npy");
        assertEquals(2, run.status(), run.stdout());
        assertEquals("xportdnn: error: testdata/npy/f4_12345x0.npy: the array (12345x0) holds no values: no "
                + "threshold to choose\n", run.stderr().replace("\r\n", "\n"));
        assertEquals("", run.stdout());
    }
}
