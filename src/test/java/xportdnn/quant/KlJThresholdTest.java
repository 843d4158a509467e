package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import xportdnn.SharedData;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Blob;
import xportdnn.model.Npy;

/**
 * The KL-J threshold against an independent numpy implementation of algorithms.md section A
 * ({@code tools/kl_j_reference.py}, which wrote {@code testdata/klj/expected.tsv}): hand-made arrays covering the
 * edge cases (no zero in the data, empty first bins, fewer bins than 2^(bw-1)+1, an outlier) and real activations
 * from ../shared/reference, at 6 and 8 bits. The same histogram bin must be chosen, so the thresholds agree to
 * floating-point rounding.
 */
class KlJThresholdTest {

    record Case(String source, String array, int bitwidth, int bins, double threshold) {
        @Override
        public String toString() {
            return source + "/" + array + " @" + bitwidth + " bits";
        }
    }

    static Stream<Case> cases() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("testdata/klj/expected.tsv"));
        return lines.stream().skip(1).map(l -> l.split("\t"))
                .map(f -> new Case(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        Double.parseDouble(f[4])));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void choosesTheSameBinAsTheNumpyReference(Case c) {
        Path file = c.source().equals("testdata")
                ? Path.of("testdata/klj", c.array() + ".npy")
                : SharedData.require("reference/" + c.source() + "/layers/" + c.array() + ".npy");
        Blob blob = Npy.read(file);
        ActivationRange range = new ActivationRange();
        range.add(blob.data(), 0, blob.count());
        assertEquals(c.bins(), KlJThreshold.binCount(range), "numpy 'sqrt' bin count");
        BlobHistograms stats = new BlobHistograms(range, KlJThreshold.binCount(range));
        stats.add(blob.data(), 0, blob.count());
        double ours = new KlJThreshold().threshold(stats, c.bitwidth());
        assertEquals(c.threshold(), ours, 1e-12 * c.threshold());
    }
}
