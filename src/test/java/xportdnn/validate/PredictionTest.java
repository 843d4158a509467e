package xportdnn.validate;

import xportdnn.data.ClassNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranking, softmax, the predictions table and class names, on hand-computed cases. */
class PredictionTest {

    @Test
    void ranksProbabilitiesBestFirstWithinTheRow() {
        float[] twoRows = {0.1f, 0.2f, 0.3f, 0.4f, /* row 1: */ 0.05f, 0.6f, 0.25f, 0.1f};
        Prediction p = Prediction.rank(twoRows, 4, 4, 3, false);
        assertArrayEquals(new int[] {1, 2, 3}, p.classes());
        assertArrayEquals(new double[] {0.6f, 0.25f, 0.1f}, p.probabilities());
        assertEquals(1, p.top1());
        assertTrue(p.ranks(3));
        assertFalse(p.ranks(0));
    }

    /** ln(p / (1 - p)) of the best class, by hand: from probabilities, from logits, and where p rounds to 1. */
    @Test
    void topLogOddsIsTheBestClassLogOdds() {
        float[] rows = {0.2f, 0.7f, 0.1f, /* logits: */ 1f, 3f, 0f};
        assertEquals(Math.log(0.7 / 0.3), Prediction.topLogOdds(rows, 0, 3, false), 1e-6);
        // softmax of (1, 3, 0): p = e^3 / (e + e^3 + 1), odds e^3 / (e + 1)
        assertEquals(3 - Math.log(Math.E + 1), Prediction.topLogOdds(rows, 3, 3, true), 1e-12);
        // 1 - p is 0 in float32, the others' sum is not: ln(1 / 2e-9)
        assertEquals(-Math.log(2e-9f), Prediction.topLogOdds(new float[] {1e-9f, 1f, 1e-9f}, 0, 3, false), 1e-6);
        assertEquals(Prediction.SURE, Prediction.topLogOdds(new float[] {0f, 1f, 0f}, 0, 3, false));
    }

    @Test
    void fewerClassesThanAskedListsThemAll() {
        Prediction p = Prediction.rank(new float[] {0.2f, 0.5f, 0.3f}, 0, 3, 5, false);
        assertArrayEquals(new int[] {1, 2, 0}, p.classes());
    }

    @Test
    void tiesKeepTheLowerClassFirst() {
        Prediction p = Prediction.rank(new float[] {0.1f, 0.3f, 0.3f, 0.3f, 0f}, 0, 5, 2, false);
        assertArrayEquals(new int[] {1, 2}, p.classes());
    }

    @Test
    void softmaxOfLogits() {
        // softmax(0, ln 2, ln 3, ln 4) = (1, 2, 3, 4) / 10
        float[] logits = {0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};
        Prediction p = Prediction.rank(logits, 0, 4, 4, true);
        assertArrayEquals(new int[] {3, 2, 1, 0}, p.classes());
        assertArrayEquals(new double[] {0.4, 0.3, 0.2, 0.1}, p.probabilities(), 1e-7);
        // large logits do not overflow: softmax(1000, 1000 + ln 3) = (1/4, 3/4)
        Prediction big = Prediction.rank(new float[] {1000f, 1000f + (float) Math.log(3)}, 0, 2, 5, true);
        assertArrayEquals(new double[] {0.75, 0.25}, big.probabilities(), 1e-4);
    }

    @Test
    void distributionsAreRecognised() {
        assertTrue(Prediction.isDistribution(new float[] {0.25f, 0.75f, 1f, 0f}, 2, 2));
        assertFalse(Prediction.isDistribution(new float[] {0.25f, 0.75f, 0.5f, 0.4f}, 2, 2), "second row sums to 0.9");
        assertFalse(Prediction.isDistribution(new float[] {1.5f, -0.5f}, 1, 2), "values outside [0, 1]");
        assertFalse(Prediction.isDistribution(new float[] {Float.NaN, 1f}, 1, 2));
    }

    @Test
    void predictionsTableRows() {
        PredictionsTsv table = new PredictionsTsv();
        table.add("images/a.jpg", OptionalInt.of(2), new Prediction(new int[] {2, 0, 1}, new double[] {0.5, 0.3, 0.2}));
        table.add("00001", OptionalInt.empty(), new Prediction(new int[] {7}, new double[] {1.0}));
        assertEquals("image\tlabel\ttop1\ttop5\ttop1_prob\n"
                + "images/a.jpg\t2\t2\t2,0,1\t0.5\n"
                + "00001\t-1\t7\t7\t1\n", table.text());
    }

    /** The reference files print probabilities rounded to 8 decimals without trailing zeros. */
    @Test
    void probabilitiesAsTheReferencePrintsThem() {
        assertEquals("0.77089018", PredictionsTsv.probability(0.770890176296234));
        assertEquals("0.3128913", PredictionsTsv.probability(0.31289130449295044));
        assertEquals("1", PredictionsTsv.probability(0.9999999999));
        assertEquals("0.00000001", PredictionsTsv.probability(1e-8));
        assertEquals("0", PredictionsTsv.probability(1e-12));
    }

    @Test
    void classNamesPlainAndSynsetWords(@TempDir Path dir) throws IOException {
        Path plain = Files.writeString(dir.resolve("classes.txt"), "red\ngreen\n\nblue\n\n\n");
        ClassNames names = ClassNames.read(plain);
        assertEquals(4, names.size(), "inner blank line keeps its class number, trailing ones are dropped");
        assertEquals("green", names.name(1));
        assertEquals("", names.name(2));
        assertEquals("blue", names.name(3));
        Path synsets = Files.writeString(dir.resolve("synset_words.txt"),
                "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n");
        ClassNames words = ClassNames.read(synsets);
        assertEquals("tench, Tinca tinca", words.name(0));
        assertEquals("goldfish, Carassius auratus", words.name(1));
    }
}
