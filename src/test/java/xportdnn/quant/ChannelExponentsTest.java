package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static xportdnn.model.TestWeights.blob;
import static xportdnn.model.TestWeights.layer;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.calib.ChannelStatistics;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * The per-channel exponents of bfp:8 on a hand case. A channel whose calibration values are all v holds v exactly,
 * unclipped, from the exponent floor(log2 v) on (8-bit mantissas: threshold 1.984 x 2^e), and every smaller one
 * clips it: the least KL divergence is that exponent (0 for 1.0, 2 for 4.0, -1 for 0.5).
 */
class ChannelExponentsTest {

    private static final String NET = """
            name: "walk"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 1 dim: 1 } } }
            layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
            layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "cat" }
            layer { name: "pool" type: "Pooling" bottom: "sum" top: "pool" pooling_param { pool: AVE global_pooling: true } }
            """;

    /** One value in, two 1x1 convolutions of weight 1 and bias 0 reading it, "a" and "b". */
    private static final String TWO_CONVOLUTIONS = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 1 } } }
            layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 1 kernel_size: 1 } }
            layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 1 kernel_size: 1 } }
            """;

    /** The weights of {@link #TWO_CONVOLUTIONS}, to add to. */
    private static NetParameter.Builder twoConvolutions() {
        return NetParameter.newBuilder()
                .addLayer(layer("a", blob(new int[] {1, 1, 1, 1}, 1), blob(new int[] {1}, 0f)))
                .addLayer(layer("b", blob(new int[] {1, 1, 1, 1}, 1), blob(new int[] {1}, 0f)));
    }

    private static ChannelStatistics constant(float... perChannel) {
        ChannelStatistics s = new ChannelStatistics(perChannel);
        s.add(perChannel, 1);
        return s;
    }

    @Test
    void followsTheLayersAsTheBlobWalkDoes() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("a", blob(new int[] {2, 2, 1, 1}, 1, 0, 0, 1), blob(new int[] {2}, 3f, 0f)))
                .addLayer(layer("b", blob(new int[] {2, 2, 1, 1}, 1, 0, 0, 1), blob(new int[] {2}, 0f, 0f))).build();
        Net net = NetLoader.build(TestWeights.definition(NET), weights);
        Map<String, ChannelStatistics> stats = new HashMap<>();
        stats.put("data", constant(1f, 4f));
        stats.put("a", constant(1f, 4f));
        stats.put("b", constant(4f, 0.5f));
        stats.put("sum", constant(5f, 0.5f)); // read by the average pooling: one exponent covering its max
        stats.put("cat", constant(1f, 4f, 4f, 0.5f));
        stats.put("pool", constant(0.3f, 3.5f));
        Map<String, int[]> e = ChannelExponents.of(net, stats, 8);
        assertArrayEquals(new int[] {0, 2}, e.get("data"));
        // a: KL gives (0, 2), its bias 3.0 needs exponent 1 in channel 0 (threshold 3.97); an Eltwise then aligns
        // a and b channel by channel to the larger: b's (2, -1) -> (2, 2), a's (1, 2) -> (2, 2)
        assertArrayEquals(new int[] {2, 2}, e.get("a"));
        assertArrayEquals(new int[] {2, 2}, e.get("b"));
        // the Concat puts its inputs' final exponents side by side
        assertArrayEquals(new int[] {2, 2, 2, 2}, e.get("cat"));
        // the classifier head, one exponent per blob: sum covers its max, 5 -> 2 (3.97 < 5 <= 7.94), in both
        // channels; the pooling one covering its own pooled max, 3.5 -> 1 (1.98 < 3.5 <= 3.97), plus 2 guard bits
        assertArrayEquals(new int[] {2, 2}, e.get("sum"));
        assertArrayEquals(new int[] {3, 3}, e.get("pool"));
    }

    /**
     * A ReLU after a Concat that wants a larger exponent than a Concat input (it has its own statistics) raises that
     * input's producer: the Concat only places codes. Before, the raise went to a copy of the inputs' exponents, so
     * the settling loop never ended (compare bfp:8 hung on such a net).
     */
    @Test
    void aLayerAfterAConcatRaisesTheConcatsInputs() {
        String net = TWO_CONVOLUTIONS + """
                layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "cat" }
                layer { name: "r" type: "ReLU" bottom: "cat" top: "cat" }
                """;
        NetParameter weights = twoConvolutions().build();
        Map<String, ChannelStatistics> stats = new HashMap<>();
        stats.put("data", constant(1f));
        stats.put("a", constant(1f));
        stats.put("b", constant(0.5f));
        stats.put("cat", constant(1f, 0.5f));
        stats.put("r", constant(4f, 0.5f));
        Map<String, int[]> e = ChannelExponents.of(NetLoader.build(TestWeights.definition(net), weights), stats, 8);
        assertArrayEquals(new int[] {2, -1}, e.get("cat"));
        assertArrayEquals(new int[] {2}, e.get("a")); // 1.0 alone gives 0; the ReLU's 4.0 gives 2
        assertArrayEquals(new int[] {-1}, e.get("b"));
    }

    /**
     * A pre-activation block: BatchNorm, Scale and ReLU in place on an Eltwise's output, left unfolded (no
     * convolution before them) and computed in float by the simulator, which writes the sum's codes in the blob's
     * exponents and reads the ReLU's values back in them. They cover the sum (40 -> 5: 31.7 < 40 <= 63.5) and the
     * ReLU's values (2 -> 1), not the float values between (the BatchNorm's 100 -> 6). Before, the ReLU replaced
     * them with its own (1), as after a convolution whose codes it reads: the sum was written clipped at 3.97.
     */
    @Test
    void unfoldedLayersInPlaceCoverTheCodesWrittenAndTheLastValues() {
        String net = TWO_CONVOLUTIONS + """
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
                layer { name: "bn" type: "BatchNorm" bottom: "sum" top: "sum" }
                layer { name: "scale" type: "Scale" bottom: "sum" top: "sum" }
                layer { name: "relu" type: "ReLU" bottom: "sum" top: "sum" }
                """;
        NetParameter weights = twoConvolutions()
                .addLayer(layer("bn", blob(new int[] {1}, 0f), blob(new int[] {1}, 1f), blob(new int[] {1}, 1f)))
                .addLayer(layer("scale", blob(new int[] {1}, 1f))).build();
        Map<String, ChannelStatistics> stats = new HashMap<>();
        stats.put("data", constant(1f));
        stats.put("a", constant(20f));
        stats.put("b", constant(20f));
        stats.put("sum", constant(40f));
        stats.put("bn", constant(100f));
        stats.put("scale", constant(0.5f));
        stats.put("relu", constant(2f));
        Map<String, int[]> e = ChannelExponents.of(NetLoader.build(TestWeights.definition(net), weights), stats, 8);
        assertArrayEquals(new int[] {5}, e.get("sum"));
    }

    /**
     * A Flatten or Reshape moves values to other channels: its output gets exponents of its own channels, from its
     * own statistics. Before, it took its input's (2 where 4 were read), and the convolution after a Reshape folded
     * an alignment past the end of its weights (compare bfp:8, exit 70).
     */
    @Test
    void flattenAndReshapeGetTheirOwnChannelsExponents() {
        String net = """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 1 } } }
                layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 2 kernel_size: 1 } }
                layer { name: "fl" type: "Flatten" bottom: "a" top: "fl" }
                layer { name: "rs" type: "Reshape" bottom: "fl" top: "rs" reshape_param { shape { dim: 0 dim: 4 dim: 1 dim: 1 } } }
                """;
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("a", blob(new int[] {2, 1, 1, 1}, 1, 1), blob(new int[] {2}, 0f, 0f))).build();
        Map<String, ChannelStatistics> stats = new HashMap<>();
        stats.put("data", constant(1f));
        stats.put("a", constant(1f, 4f));
        stats.put("fl", constant(1f, 1f, 4f, 4f));
        stats.put("rs", constant(1f, 1f, 4f, 0.5f));
        Map<String, int[]> e = ChannelExponents.of(NetLoader.build(TestWeights.definition(net), weights), stats, 8);
        assertArrayEquals(new int[] {0, 2}, e.get("a"));
        assertArrayEquals(new int[] {0, 0, 2, 2}, e.get("fl"));
        assertArrayEquals(new int[] {0, 0, 2, -1}, e.get("rs"));
    }

    /** bfp's wider blobs: the residual stream 2 more bits (a, b, read only by the sum), the pooling's output 2. */
    @Test
    void widerMantissasAreTheStreamAndThePooledBlob() {
        Net net = NetLoader.build(TestWeights.definition(NET), null);
        // a and b are also read by the Concat, so not the stream; sum is read by the average pooling
        assertEquals(Map.of("pool", 2), ChannelExponents.widerMantissas(net));
    }

    /**
     * A channel of tiny values keeps at most 16 octaves below the blob's largest exponent (the alignment a
     * convolution makes), and an all-zero channel takes the smallest of the others.
     */
    @Test
    void channelsSpanAtMostSixteenOctaves() {
        assertArrayEquals(new int[] {0, -16, -16}, ChannelExponents.leastDivergence(constant(1f, 0x1p-20f, 0f), 8));
        assertArrayEquals(new int[] {2, 2, 2}, ChannelExponents.wholeBlob(constant(0.5f, 4f, 0f), 8));
    }
    /**
     * A Slice along the channels hands each output its own channels' exponents (its statistics are its first
     * output's only: before, both outputs got those, hi's second channel read on lo's); a Slice along the height
     * hands its input's on; a product's inputs keep their own (it is computed in float from each input's values),
     * where a sum's are aligned.
     */
    @Test
    void slicesAndProducts() {
        String net = """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 1 } } }
                layer { name: "a" type: "Convolution" bottom: "data" top: "a"
                        convolution_param { num_output: 3 kernel_size: 1 bias_term: false } }
                layer { name: "cut" type: "Slice" bottom: "a" top: "lo" top: "hi" slice_param { axis: 1 slice_point: 1 } }
                layer { name: "rows" type: "Slice" bottom: "a" top: "r0" top: "r1" slice_param { axis: 2 } }
                layer { name: "b" type: "Convolution" bottom: "data" top: "b"
                        convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }
                layer { name: "prod" type: "Eltwise" bottom: "hi" bottom: "b" top: "p" eltwise_param { operation: PROD } }
                """;
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("a", blob(new int[] {3, 1, 1, 1}, 1, 1, 1)))
                .addLayer(layer("b", blob(new int[] {2, 1, 1, 1}, 1, 1))).build();
        Map<String, ChannelStatistics> stats = new HashMap<>();
        stats.put("data", constant(1f));
        stats.put("a", constant(1f, 4f, 0.5f));
        stats.put("cut", constant(1f)); // lo's alone
        stats.put("rows", constant(1f, 4f, 0.5f));
        stats.put("b", constant(4f, 4f));
        stats.put("prod", constant(16f, 2f));
        Map<String, int[]> e = ChannelExponents.of(NetLoader.build(TestWeights.definition(net), weights), stats, 8);
        assertArrayEquals(new int[] {0}, e.get("lo"));
        assertArrayEquals(new int[] {2, -1}, e.get("hi"));
        assertArrayEquals(new int[] {0, 2, -1}, e.get("r1"));
        assertArrayEquals(new int[] {2, 2}, e.get("b"));
        assertArrayEquals(new int[] {4, 1}, e.get("p"));
    }

    /**
     * A Sigmoid rewriting a convolution's output in place, computed in float: the one blob name holds the
     * convolution's values (4 and 0.5 here) and the Sigmoid's (at most 1), so it keeps the larger exponent of the
     * two per channel, (2, 0). Before, the Sigmoid's own (0, 0) replaced them, and the convolution wrote 4 clipped
     * at 1.98.
     */
    @Test
    void aFloatLayerInPlaceKeepsItsProducersRange() {
        String net = """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 1 dim: 1 } } }
                layer { name: "a" type: "Convolution" bottom: "data" top: "a"
                        convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }
                layer { name: "sig" type: "Sigmoid" bottom: "a" top: "a" }
                """;
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(layer("a", blob(new int[] {2, 1, 1, 1}, 1, 1))).build();
        Map<String, ChannelStatistics> stats = new HashMap<>();
        stats.put("data", constant(1f));
        stats.put("a", constant(4f, 0.5f));
        stats.put("sig", constant(1f, 1f));
        Map<String, int[]> e = ChannelExponents.of(NetLoader.build(TestWeights.definition(net), weights), stats, 8);
        assertArrayEquals(new int[] {2, 0}, e.get("a"));
    }
}
