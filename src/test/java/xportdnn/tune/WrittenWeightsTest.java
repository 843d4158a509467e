package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.ThresholdFormat;

/** Every reachable code survives the trip float -> runtime quantization, for thresholds and Q.F formats. */
class WrittenWeightsTest {

    @Test
    void theRuntimeRoundsEachWrittenWeightToItsCode() {
        Random random = new Random(5);
        for (int bw : new int[] {6, 8}) {
            for (int trial = 0; trial < 200; trial++) {
                float[] th = {(float) Math.exp(random.nextGaussian() * 3), (float) (random.nextDouble() * 1e-3)};
                check(new ThresholdFormat(bw, th), -((1 << (bw - 1)) - 1));
                check(new FixedPointFormat(bw, random.nextInt(30) - 10), -(1 << (bw - 1)));
            }
        }
    }

    private static void check(NumberFormat format, int min) {
        int max = (1 << (format.bitwidth() - 1)) - 1;
        int perChannel = max - min + 1;
        int[] codes = new int[perChannel * format.channels()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = min + i % perChannel;
        }
        float[] written = WrittenWeights.of(codes, format, perChannel);
        assertArrayEquals(codes, format.quantize(written, perChannel), format.toString());
    }
}
