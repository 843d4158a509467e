package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.ModelException;

class ThresholdMethodsTest {

    static BlobHistograms statistics(float[] data) {
        return TestStatistics.of(data);
    }

    private static float[] laplace(long seed, int n, double b) {
        Random r = new Random(seed);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble() - 0.5;
            d[i] = (float) (-b * Math.signum(u) * Math.log(1 - 2 * Math.abs(u)));
        }
        return d;
    }

    @Test
    void aciqLaplaceMatchesThePublishedClippingFactors() {
        // Banner et al. quote alpha/b = 2.83, 3.86, 5.03 for 2, 3, 4 bits.
        assertEquals(2.83, AciqThreshold.laplaceK(2), 0.01);
        assertEquals(3.86, AciqThreshold.laplaceK(3), 0.05);
        assertEquals(5.03, AciqThreshold.laplaceK(4), 0.01);
    }

    /**
     * The spec's expression solved exactly: the reference code (submission2019/cnn-quantization, int_quantizer.py)
     * lists its solutions as 2.83068299, 3.89722946, 5.02864014; the paper's table rounds M = 3 to 3.89, the seed's
     * 3.86 above is 0.04 off the solution.
     */
    @Test
    void aciqLaplaceSolvesTheSpecExpression() {
        assertEquals(2.83068299, AciqThreshold.laplaceK(2), 1e-6);
        assertEquals(3.89722946, AciqThreshold.laplaceK(3), 1e-6);
        assertEquals(5.02864014, AciqThreshold.laplaceK(4), 1e-6);
    }

    @Test
    void aciqGaussMatchesTheGaussianOptimum() {
        // The Gaussian optimum Banner et al. report: alpha = 1.71, 2.15, 2.55 sigma for 2, 3, 4 bits.
        assertEquals(1.71, AciqThreshold.gaussK(2), 0.02);
        assertEquals(2.15, AciqThreshold.gaussK(3), 0.02);
        assertEquals(2.55, AciqThreshold.gaussK(4), 0.02);
    }

    @Test
    void aciqLaplaceScalesWithTheMeanAbsoluteDeviation() {
        float[] d = laplace(7, 200_000, 2.0);
        double th = AciqThreshold.laplace().threshold(statistics(d), 4);
        // E|x| = b for Laplace(0, b); alpha = 5.03 b.
        assertEquals(5.03 * 2.0, th, 0.15);
    }

    @Test
    void percentileReadsTheHistogram() {
        float[] d = new float[10_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = (i + 1) / 1000f; // uniform on (0, 10]
        }
        assertEquals(9.9, ThresholdMethod.parse("percentile:99").threshold(statistics(d), 8), 0.01);
        assertEquals(5.0, ThresholdMethod.parse("percentile:50").threshold(statistics(d), 8), 0.01);
    }

    @Test
    void maxIsTheLargestMagnitude() {
        assertEquals(7.5, ThresholdMethod.parse("max").threshold(statistics(new float[] {1, -7.5f, 3}), 8), 0);
    }

    @Test
    void mseClipsALongTailButNotAUniformBlob() {
        float[] tail = laplace(11, 100_000, 1.0);
        BlobHistograms s = statistics(tail);
        double th = new MseThreshold().threshold(s, 4);
        assertTrue(th < 0.7 * s.range().maxAbs(), "a Laplace tail is clipped at 4 bits, got " + th);
        float[] uniform = new float[20_000];
        for (int i = 0; i < uniform.length; i++) {
            uniform[i] = (i % 2 == 0 ? 1 : -1) * (i + 1) / 2000f;
        }
        double tu = new MseThreshold().threshold(statistics(uniform), 8);
        assertEquals(10.0, tu, 0.1, "clipping a uniform distribution only adds error");
    }

    @Test
    void entropyClipsTheOutliersOfAGaussian() {
        Random r = new Random(5);
        float[] d = new float[200_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        d[0] = 20f; // one outlier stretches the range
        double th = new EntropyThreshold().threshold(statistics(d), 8);
        assertTrue(th > 2.5 && th < 6, "8-bit entropy threshold of N(0,1) with an outlier: " + th);
    }

    @Test
    void allZeroBlobsHaveAZeroThreshold() {
        BlobHistograms s = statistics(new float[100]);
        for (String m : new String[] {"kl-j", "kl", "max", "mse", "percentile:99.9", "aciq-laplace", "aciq-gauss"}) {
            assertEquals(0, ThresholdMethod.parse(m).threshold(s, 8), 0, m);
        }
    }

    @Test
    void unknownMethodsAreRefusedByName() {
        ModelException e = assertThrows(ModelException.class, () -> ThresholdMethod.parse("entropy"));
        assertTrue(e.getMessage().contains("'entropy'") && e.getMessage().contains("kl-j"), e.getMessage());
        assertThrows(ModelException.class, () -> ThresholdMethod.parse("percentile:120"));
    }
}
