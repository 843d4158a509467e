package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading a channels-first view of channels-last memory into Java gives Caffe's N, C, H, W order. */
class ChannelsLastReadTest {

    /** Channels-last memory of the given N, H, W, C holding {@code values} in that order. */
    private static INDArray storage(float[] values, int n, int h, int w, int c) {
        return Tensors.of(values, n, h, w, c);
    }

    private static void check(int n, int c, int h, int w) {
        float[] memory = new float[n * h * w * c];
        Random random = new Random(n * 1000 + c * 100 + h * 10 + w);
        for (int i = 0; i < memory.length; i++) {
            memory[i] = random.nextFloat() * 2 - 1;
        }
        INDArray view = Tensors.channelsFirstView(storage(memory, n, h, w, c));
        if (c > 1 && h > 1 && w > 1) { // else ND4J may take the view for dense or a view of another kind
            assertNotNull(Tensors.channelsLastStorage(view), "the view is recognised as channels-last memory");
        }
        // the definition, written out: NCHW index of each NHWC value
        float[] expected = new float[memory.length];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        expected[((i * c + ch) * h + y) * w + x] = memory[((i * h + y) * w + x) * c + ch];
                    }
                }
            }
        }
        String shape = n + "x" + c + "x" + h + "x" + w;
        assertArrayEquals(expected, Tensors.floats(view), 0f, shape);
        float[] larger = new float[memory.length + 5];
        float[] into = Tensors.floatsInto(view, larger);
        assertEquals(larger, into, "a buffer with room is used");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], into[i], 0f, shape + " at " + i);
        }
    }

    @Test
    void everyShapeComesOutInCaffeOrder() {
        check(1, 1, 1, 1);
        check(1, 3, 1, 1);
        check(2, 1, 5, 7);
        check(3, 5, 7, 2);
        // more positions than one run (64), not a multiple of it; channels above and below a run's width
        check(2, 70, 9, 11);
        check(4, 96, 13, 13);
        check(1, 7, 128, 1);
    }
}
