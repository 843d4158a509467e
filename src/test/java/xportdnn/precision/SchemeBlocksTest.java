package xportdnn.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.model.LayerType;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.DynamicFixedScheme.BatchNormLengths;
import xportdnn.precision.DynamicFixedScheme.ScaleLengths;

/** Each scheme reads back the formats of the blocks it writes, and writes only the fields a layer type's holds. */
class SchemeBlocksTest {

    private static final Blob TWO_CHANNELS = new Blob(new int[] {2, 1, 1, 1}, new float[] {0.3f, -0.6f});

    private static Layer layer(String type) {
        return new Layer(LayerParameter.newBuilder().setName("l").setType(type).build(), List.of(), List.of());
    }

    /** Thresholds in 2.5, out 4, params 0.5 and 0.25, noting which were asked for. */
    private static XilinxScheme.Thresholds thresholds(List<String> asked) {
        return new XilinxScheme.Thresholds() {
            @Override
            public float in() {
                asked.add("in");
                return 2.5f;
            }

            @Override
            public float out() {
                asked.add("out");
                return 4f;
            }

            @Override
            public float[] params() {
                asked.add("params");
                return new float[] {0.5f, 0.25f};
            }
        };
    }

    @Test
    void xilinxConvolutionBlockReadsBack() {
        List<String> asked = new ArrayList<>();
        PrecisionParameter p = XilinxScheme.block(LayerType.CONVOLUTION, new InParamsOut(8, 6, 7), thresholds(asked));
        XilinxScheme scheme = new XilinxScheme();
        Layer conv = layer("Convolution");
        assertEquals(new ThresholdFormat(8, 2.5f), scheme.input(conv, p));
        assertEquals(new ThresholdFormat(7, 4f), scheme.output(conv, p));
        assertEquals(new ThresholdFormat(6, 0.5f, 0.25f), scheme.weights(conv, p, TWO_CHANNELS, false));
        assertEquals(XilinxScheme.QUANT_TYPE, p.getQuantType());
        assertEquals(List.of("in", "out", "params"), asked);
    }

    @Test
    void xilinxInputBlockHoldsTheOutputInTheInputBitwidth() {
        List<String> asked = new ArrayList<>();
        PrecisionParameter p = XilinxScheme.block(LayerType.INPUT, new InParamsOut(6, 8, 8), thresholds(asked));
        assertEquals(List.of("out"), asked);
        assertEquals(new ThresholdFormat(6, 4f), new XilinxScheme().output(layer("Input"), p));
        assertThrows(ModelException.class, () -> new XilinxScheme().input(layer("Input"), p));
        assertFalse(p.hasQuantType());
    }

    @Test
    void xilinxReluAndPoolingBlocksHoldActivationsOnly() {
        List<String> asked = new ArrayList<>();
        PrecisionParameter relu = XilinxScheme.block(LayerType.RELU, new InParamsOut(8, 8, 8), thresholds(asked));
        PrecisionParameter pool = XilinxScheme.block(LayerType.POOLING, new InParamsOut(8, 8, 8), thresholds(asked));
        assertEquals(List.of("in", "out", "in", "out"), asked);
        assertFalse(relu.hasQuantType());
        assertEquals(XilinxScheme.QUANT_TYPE, pool.getQuantType());
        assertFalse(pool.hasBwParams());
        assertEquals(0, pool.getThParamsCount());
        assertEquals(new ThresholdFormat(8, 2.5f), new XilinxScheme().input(layer("ReLU"), relu));
    }

    /** Mean fl 3, variance fl -2; gamma 6, beta 4, gamma/std 1; both expect the params bitwidth 6. */
    private static final DynamicFixedScheme.LearnedLengths LEARNED = new DynamicFixedScheme.LearnedLengths() {
        @Override
        public BatchNormLengths batchNorm(int bw) {
            assertEquals(6, bw);
            return new BatchNormLengths(3, -2);
        }

        @Override
        public ScaleLengths scale(int bw) {
            assertEquals(6, bw);
            return new ScaleLengths(6, 4, 1);
        }
    };

    private static final DynamicFixedScheme.LearnedLengths NOT_ASKED = new DynamicFixedScheme.LearnedLengths() {
        @Override
        public BatchNormLengths batchNorm(int bw) {
            throw new AssertionError("asked for a BatchNorm's lengths");
        }

        @Override
        public ScaleLengths scale(int bw) {
            throw new AssertionError("asked for a Scale's lengths");
        }
    };

    @Test
    void dynamicFixedConvolutionBlockReadsBack() {
        PrecisionParameter p = DynamicFixedScheme.block(LayerType.CONVOLUTION, new InParamsOut(8, 6, 7),
                new InParamsOut(5, 9, -1), NOT_ASKED);
        DynamicFixedScheme scheme = new DynamicFixedScheme();
        Layer conv = layer("Convolution");
        assertEquals(new FixedPointFormat(8, 5), scheme.input(conv, p));
        assertEquals(new FixedPointFormat(7, -1), scheme.output(conv, p));
        assertEquals(new FixedPointFormat(6, 9), scheme.weights(conv, p, TWO_CHANNELS, false));
        // fused: max |w| 0.6 < 1 has 1 integer bit, so fl = 6 - 1 whatever fl_params says
        assertEquals(new FixedPointFormat(6, 5), scheme.weights(conv, p, TWO_CHANNELS, true));
        assertEquals(DynamicFixedScheme.QUANT_TYPE, p.getQuantType());
    }

    @Test
    void dynamicFixedBatchNormAndScaleBlocksHoldTheirLearnedValuesAtTheParamsBitwidth() {
        InParamsOut bw = new InParamsOut(8, 6, 8);
        InParamsOut fl = new InParamsOut(2, 5, 3);
        PrecisionParameter bn = DynamicFixedScheme.block(LayerType.BATCH_NORM, bw, fl, LEARNED);
        assertEquals(List.of(6, 3, 6, -2), List.of(bn.getBatchnormMeanBw(), bn.getBatchnormMeanFl(),
                bn.getBatchnormVarianceBw(), bn.getBatchnormVarianceFl()));
        PrecisionParameter scale = DynamicFixedScheme.block(LayerType.SCALE, bw, fl, LEARNED);
        assertEquals(List.of(6, 6, 6, 4, 6, 1), List.of(scale.getScaleGammaBw(), scale.getScaleGammaFl(),
                scale.getScaleBetaBw(), scale.getScaleBetaFl(), scale.getScaleGammaByStdBw(),
                scale.getScaleGammaByStdFl()));
        for (PrecisionParameter p : List.of(bn, scale)) {
            assertFalse(p.hasBwParams());
            assertEquals(new FixedPointFormat(8, 2), new DynamicFixedScheme().input(layer("Scale"), p));
            assertEquals(new FixedPointFormat(8, 3), new DynamicFixedScheme().output(layer("Scale"), p));
        }
    }

    @Test
    void dynamicFixedPoolingBlockHoldsActivationsOnly() {
        PrecisionParameter p = DynamicFixedScheme.block(LayerType.POOLING, new InParamsOut(8, 6, 8),
                new InParamsOut(2, 5, 3), NOT_ASKED);
        assertFalse(p.hasBwParams());
        assertFalse(p.hasFlParams());
        assertFalse(p.hasBatchnormMeanBw());
        assertFalse(p.hasScaleGammaBw());
        assertEquals(DynamicFixedScheme.QUANT_TYPE, p.getQuantType());
    }
}
