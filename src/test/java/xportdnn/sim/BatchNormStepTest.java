package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.StandaloneBatchNorm;

/**
 * The simulator's BatchNorm/Scale op run on its own (OPCODE_BN, DynamicFixed) against
 * {@link StandaloneBatchNormReference}, CHaiDNN's source formulas as plain loops, bit for bit.
 */
class BatchNormStepTest {

    private static final float EPS = 1e-5f;

    /** One random case: statistics, the Scale's values, fractional lengths, codes. */
    private record Case(int bw, int channels, int plane, int batch, float[] mean, float[] variance, float[] gamma,
            float[] beta, int flIn, int gammaByStdFl, int betaFl, int flOut, int[] codes) {

        static Case random(Random r, int bw, int channels, int plane) {
            int batch = 2;
            float[] mean = new float[channels];
            float[] variance = new float[channels];
            float[] gamma = new float[channels];
            float[] beta = new float[channels];
            for (int c = 0; c < channels; c++) {
                mean[c] = (float) (r.nextGaussian() * 1.5);
                variance[c] = 0.05f + 3 * r.nextFloat();
                gamma[c] = (float) (r.nextGaussian() * 1.5);
                beta[c] = (float) (r.nextGaussian() * 2);
            }
            int[] codes = new int[batch * channels * plane];
            int span = 1 << bw;
            for (int i = 0; i < codes.length; i++) {
                codes[i] = r.nextInt(span) - span / 2;
            }
            // fl_out from 0 (outputs fit) to 7 (large outputs saturate at the top, wrap in the 16-bit cut)
            return new Case(bw, channels, plane, batch, mean, variance, gamma, beta, 2 + r.nextInt(3),
                    2 + r.nextInt(4), 2 + r.nextInt(4), r.nextInt(8), codes);
        }

        float[] gammaByStd() {
            float[] s = new float[channels];
            for (int c = 0; c < channels; c++) {
                s[c] = gamma[c] / (float) Math.sqrt(variance[c] + EPS);
            }
            return s;
        }

        StandaloneBatchNorm op() {
            return new StandaloneBatchNorm(mean, gammaByStd(), beta, flIn, gammaByStdFl, betaFl, flOut, bw);
        }

        int[] simulated() {
            FixedPointFormat in = new FixedPointFormat(bw, flIn);
            FixedPointFormat out = new FixedPointFormat(bw, flOut);
            SimTensor x = SimTensor.ofCodes(new int[] {batch, channels, plane, 1}, Codes.of(codes.clone()), in);
            SimTensor y = new BatchNormStep(op(), in, out).run(List.of(x)).get(0);
            assertEquals(out, y.format());
            return y.codesIn(out).toInts();
        }

        int[] reference(StandaloneBatchNormReference reference) {
            return reference.run(codes, channels, plane, mean, variance, EPS, gamma, beta, flIn, gammaByStdFl, betaFl,
                    flOut, bw);
        }
    }

    /**
     * 6- and 8-bit codes, channel counts that are and are not multiples of 8, random statistics and lengths: every
     * output code equals the reference's; the cases include negative inputs, results above the top code and below
     * the bottom one (the ReLU then gives 0).
     */
    @Test
    void equalsTheSourcesFormulaBitForBit() {
        Random r = new Random(20261208);
        StandaloneBatchNormReference reference = new StandaloneBatchNormReference();
        int cases = 0;
        for (int bw : new int[] {6, 8}) {
            for (int channels : new int[] {1, 5, 8, 13}) {
                for (int round = 0; round < 6; round++) {
                    Case c = Case.random(r, bw, channels, 7);
                    assertArrayEquals(c.reference(reference), c.simulated(), "case " + c);
                    cases++;
                }
            }
        }
        assertEquals(48, cases);
        assertTrue(reference.negativeInputs > 0 && reference.savedAboveTop > 0 && reference.savedBelowBottom > 0,
                "negative inputs " + reference.negativeInputs + ", above the top " + reference.savedAboveTop
                        + ", below the bottom " + reference.savedBelowBottom);
    }

    /**
     * A mean far beyond the input format's range wraps in its 16-bit constant on the device (fl_in + 8 = 13
     * fractional bits: 20.3 x 2^13 does not fit), and beta's left shift wraps in its 5-bit field (-1 shifts by 31,
     * so an odd beta code becomes -2^31 in the 32-bit accumulator, an even one 0): both are computed
     * as the device computes them, equal to the reference, and listed.
     */
    @Test
    void wrappedConstantsAndShiftsAreComputedAsTheDeviceDoesAndListed() {
        Random r = new Random(7);
        Case base = Case.random(r, 8, 3, 5);
        float[] mean = base.mean().clone();
        mean[1] = 20.3f;
        Case c = new Case(8, 3, 5, base.batch(), mean, base.variance(), base.gamma(), base.beta(), 5, 6, 2, 4,
                base.codes());
        // fl_in -2, gamma/sqrt(var+eps) fl -3, beta fl 4: norm_prec_3 = -2 - 3 + 8 - 4 = -1, a shift by 31
        Case shifted = new Case(8, 3, 5, base.batch(), base.mean(), base.variance(), base.gamma(),
                new float[] {0.5f, -1.25f, 3f}, -2, -3, 4, 4, base.codes());
        StandaloneBatchNormReference reference = new StandaloneBatchNormReference();
        assertArrayEquals(c.reference(reference), c.simulated());
        assertArrayEquals(shifted.reference(reference), shifted.simulated());
        assertEquals(1, c.op().overflows().size(), c.op().overflows().toString());
        assertTrue(c.op().overflows().get(0).startsWith("mean of channel 1 is 166297"), c.op().overflows().get(0));
        assertEquals(List.of("norm_prec_3 = fl_layer_in + scale_gamma_by_std_fl + 8 - scale_beta_fl is -1, outside "
                + "the kernel's 5-bit field (0..31): it shifts by 31"), shifted.op().overflows());
    }
}
