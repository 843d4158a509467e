package xportdnn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.InParamsOut;
import xportdnn.precision.StandaloneBatchNorm;

class DynamicFixedExporterTest {

    /**
     * Input and output activations of different widths, so that a field written from the wrong one shows; CHaiDNN
     * runs one activation width, so every export of them allows any bitwidth ({@link #ANY}).
     */
    static final InParamsOut BITS = new InParamsOut(8, 8, 6);
    private static final boolean ANY = true;
    static final InParamsOut FL = new InParamsOut(3, 6, 2);

    private static PrecisionParameter block(NetParameter net, String layer) {
        return net.getLayerList().stream().filter(l -> l.getName().equals(layer)).findFirst().orElseThrow()
                .getPrecisionParam();
    }

    @Test
    void blocksGoExactlyOnTheDynamicFixedLayerTypes() throws Exception {
        DynamicFixedExporter.Result result = DynamicFixedExporter.export(SmallNet.net(), BITS, FL, ANY);
        Set<String> withBlock = new TreeSet<>();
        for (LayerParameter l : result.net().getLayerList()) {
            if (l.hasPrecisionParam()) {
                withBlock.add(l.getName());
            }
        }
        // The stale blocks on conv (Xilinx) and relu are replaced / removed.
        assertEquals(new TreeSet<>(Set.of("conv", "bn", "sc", "pool", "sc2", "add", "perm")), withBlock);
        assertEquals(7, result.blockCount());
    }

    @Test
    void everyBlockHasExactlyTheListedFields() throws Exception {
        NetParameter out = DynamicFixedExporter.export(SmallNet.net(), BITS, FL, ANY).net();
        Set<String> common = Set.of("bw_layer_in", "bw_layer_out", "fl_layer_in", "fl_layer_out", "quant_type");
        assertEquals(union(common, "bw_params", "fl_params"), fieldNames(block(out, "conv")));
        assertEquals(union(common, "batchnorm_mean_bw", "batchnorm_mean_fl", "batchnorm_variance_bw",
                "batchnorm_variance_fl"), fieldNames(block(out, "bn")));
        Set<String> scale = union(common, "scale_gamma_bw", "scale_gamma_fl", "scale_beta_bw", "scale_beta_fl",
                "scale_gamma_by_std_bw", "scale_gamma_by_std_fl");
        assertEquals(scale, fieldNames(block(out, "sc")));
        assertEquals(scale, fieldNames(block(out, "sc2")));
        for (String name : new String[] {"pool", "add", "perm"}) {
            assertEquals(common, fieldNames(block(out, name)), name);
        }
    }

    @Test
    void userFormatOnActivationsAndConvolutionWeights() throws Exception {
        NetParameter out = DynamicFixedExporter.export(SmallNet.net(), BITS, FL, ANY).net();
        for (String name : new String[] {"conv", "bn", "sc", "pool", "sc2", "add", "perm"}) {
            PrecisionParameter p = block(out, name);
            assertEquals(8, p.getBwLayerIn(), name);
            assertEquals(6, p.getBwLayerOut(), name);
            assertEquals(3, p.getFlLayerIn(), name);
            assertEquals(2, p.getFlLayerOut(), name);
            assertEquals("DynamicFixed", p.getQuantType(), name);
        }
        assertEquals(8, block(out, "conv").getBwParams());
        assertEquals(6, block(out, "conv").getFlParams());
    }

    /** Hand-computed at 8 bits: x fits at fl while x*2^fl < 127.5 (x > 0) or |x|*2^fl < 128.5 (x < 0). */
    @Test
    void batchNormAndScaleFractionalLengthsFollowTheirValues() throws Exception {
        NetParameter out = DynamicFixedExporter.export(SmallNet.net(), BITS, FL, ANY).net();
        PrecisionParameter bn = block(out, "bn");
        assertEquals(8, bn.getBatchnormMeanBw());
        assertEquals(7, bn.getBatchnormMeanFl());      // true mean 0.75: 96 at fl 7, 192 at 8 (stored 1.5 gives 6)
        assertEquals(8, bn.getBatchnormVarianceBw());
        assertEquals(4, bn.getBatchnormVarianceFl());  // true variance 4: 64 at fl 4, 128 at 5
        PrecisionParameter sc = block(out, "sc");
        assertEquals(5, sc.getScaleGammaFl());         // gamma 2: 64 at fl 5, 128 at 6
        assertEquals(3, sc.getScaleBetaFl());          // beta 10: 80 at fl 3, 160 at 4
        // S = gamma/sqrt(var + 0.001) = [2/sqrt(4.001), -0.5/sqrt(0.016)] = [0.999875, -3.9528]:
        // 0.999875 * 2^6 = 64.0 fits, -3.9528 * 2^5 = -126.5 fits, -3.9528 * 2^6 does not -> 5.
        // (With the default eps 1e-5, -0.5/sqrt(0.01501) = -4.081 would give 4.)
        assertEquals(5, sc.getScaleGammaByStdFl());
        assertEquals(8, sc.getScaleGammaBw());
        assertEquals(8, sc.getScaleBetaBw());
        assertEquals(8, sc.getScaleGammaByStdBw());
        PrecisionParameter sc2 = block(out, "sc2");
        assertEquals(5, sc2.getScaleGammaFl());        // gamma 3: 96 at fl 5
        assertEquals(5, sc2.getScaleGammaByStdFl());   // no BatchNorm before it: gamma itself
        assertEquals(7, sc2.getScaleBetaFl());         // no bias: nothing to fit, bw_params - 1
    }

    /**
     * A BatchNorm/Scale pair the device runs as an op of its own, with gamma/sqrt(var+eps) about 2^-12 and beta
     * 2^-24: at 8 bits their own largest fl would be 18 and 30, so the op's shifts (StandaloneBatchNorm) would be
     * norm_prec = fl_in + 8 + 18 + 8 - fl_out = 34 and norm_prec_3 = fl_in + 18 + 8 - 30 = 0, the first beyond the
     * kernel's 5-bit field. The export lowers gamma/sqrt(var+eps)'s fl to 31 - (4 + 16 - 4) = 15 (norm_prec 31),
     * then beta's to 22, whose constant has 22 + 8 = 30 fractional bits, the most the runtime's conversion
     * (ConvertToFP's int 1 << fbits) holds (norm_prec_3 = 4 + 15 + 8 - 22 = 5; 4 + 15 + 8 = 27 would keep it 0 but
     * need 35 bits).
     */
    @Test
    void standaloneBatchNormLengthsKeepTheDevicesShiftsInTheirFields() {
        float tiny = (float) Math.scalb(1.0, -12);
        float beta = (float) Math.scalb(1.0, -24);
        Net net = SmallNet.batchNormPair(new float[] {0.1f, 0.2f}, new float[] {tiny, tiny}, new float[] {beta, -beta});
        NetParameter out = DynamicFixedExporter.export(net, new InParamsOut(8, 8, 8), new InParamsOut(4, 6, 4), false)
                .net();
        PrecisionParameter sc = block(out, "sc");
        assertEquals(15, sc.getScaleGammaByStdFl());
        assertEquals(22, sc.getScaleBetaFl());
        assertEquals(18, sc.getScaleGammaFl()); // gamma's own, which the op does not use: 2^-12 x 2^19 = 128 > 127.5
    }

    /**
     * At 16-bit params (any bitwidth allowed) beta 3 fits its own format at fl 13 (3 x 2^13 = 24576), but the runtime
     * writes it at fl + 8 fractional bits into a 16-bit constant (load_mean_gamma_beta), where 3 x 2^21 wraps: the
     * export gives beta fl 13 - 8 = 5 (3 x 2^13 fits, 3 x 2^14 = 49152 would wrap), and the device's op built from
     * the written fields lists nothing wrapped. gamma/sqrt(var+eps) (1 / sqrt(1 + 1e-5) = 0.999995) saturates rather
     * than wraps but gets the same bound: 14 - 8 = 6 (x 2^15 = 32767.8 rounds to 32768, beyond 16 bits; x 2^14 fits).
     */
    @Test
    void standaloneBatchNormBetaFitsItsSixteenBitConstant() {
        Net net = SmallNet.batchNormPair(new float[] {0}, new float[] {1}, new float[] {3});
        NetParameter out = DynamicFixedExporter.export(net, new InParamsOut(8, 16, 8), new InParamsOut(4, 6, 4), ANY)
                .net();
        PrecisionParameter sc = block(out, "sc");
        assertEquals(5, sc.getScaleBetaFl());
        assertEquals(6, sc.getScaleGammaByStdFl());
        float byStd = (float) (1 / Math.sqrt(1 + 1e-5));
        StandaloneBatchNorm op = new StandaloneBatchNorm(new float[] {0}, new float[] {byStd}, new float[] {3},
                block(out, "bn").getFlLayerIn(), sc.getScaleGammaByStdFl(), sc.getScaleBetaFl(), sc.getFlLayerOut(),
                sc.getBwLayerOut());
        assertEquals(List.of(), op.overflows());
    }

    @Test
    void definitionKeptApartFromBatchAndBlocks() throws Exception {
        Net net = SmallNet.net();
        DynamicFixedExporter.Result result = DynamicFixedExporter.export(net, BITS, FL, ANY);
        assertEquals(Map.of("data", 4L), result.rebatchedInputs());
        assertTrue(result.batchChanged());
        ExportedDefinition.assertKeptApartFromBatchAndBlocks(net.definition(), result.net());
        assertEquals(1, result.net().getLayer(0).getInputParam().getShape(0).getDim(0));
    }

    @Test
    void batchOneIsNotReportedAsChanged() throws Exception {
        NetParameter.Builder definition = NetParameter.newBuilder();
        TextFormat.merge(SmallNet.DEFINITION.replace("dim: 4 dim: 2", "dim: 1 dim: 2"), definition);
        Net one = new Net(definition.build(), SmallNet.net().layers(), Map.of());
        DynamicFixedExporter.Result result = DynamicFixedExporter.export(one, BITS, FL, ANY);
        assertFalse(result.batchChanged());
        assertEquals(Map.of(), result.rebatchedInputs());
    }

    /** A library caller gets the command line's one-activation-bitwidth rule: 6,8,8 is no file CHaiDNN runs. */
    @Test
    void refusesInputAndOutputActivationsOfDifferentWidthsUnlessAllowed() throws Exception {
        Net net = SmallNet.net();
        ModelException e = assertThrows(ModelException.class,
                () -> DynamicFixedExporter.export(net, new InParamsOut(8, 8, 6), FL, false));
        assertTrue(e.getMessage().contains("input and output activations differ (8 and 6 bits)"), e.getMessage());
        assertEquals(6, block(DynamicFixedExporter.export(net, new InParamsOut(8, 8, 6), FL, true).net(), "conv")
                .getBwLayerOut());
    }

    @Test
    void refusesBitwidthsOtherThanSixOrEightUnlessAllowed() throws Exception {
        Net net = SmallNet.net();
        ModelException e = assertThrows(ModelException.class,
                () -> DynamicFixedExporter.export(net, new InParamsOut(8, 7, 8), FL, false));
        assertTrue(e.getMessage().contains("6 or 8 bits"), e.getMessage());
        assertTrue(e.getMessage().contains("params"), e.getMessage());
        NetParameter out = DynamicFixedExporter.export(net, new InParamsOut(8, 7, 8), FL, true).net();
        assertEquals(7, block(out, "conv").getBwParams());
        assertEquals(3, block(out, "bn").getBatchnormVarianceFl()); // variance 4 at 7 bits: 64 > 63.5 at fl 4
        assertThrows(ModelException.class, () -> DynamicFixedExporter.export(net, new InParamsOut(1, 8, 8), FL, true));
        assertThrows(ModelException.class, () -> DynamicFixedExporter.export(net, new InParamsOut(8, 8, 33), FL, true));
    }

    @Test
    void zeroScaleFactorMeansZeroStatistics() throws Exception {
        Net net = SmallNet.net();
        Net zeroFactor = replaceWeights(net, "bn", 2, blobValues(new int[] {1}, 0f));
        PrecisionParameter bn = block(DynamicFixedExporter.export(zeroFactor, BITS, FL, ANY).net(), "bn");
        assertEquals(7, bn.getBatchnormMeanFl());
        assertEquals(7, bn.getBatchnormVarianceFl());
    }

    @Test
    void nonFiniteValuesAreReportedWithTheLayer() throws Exception {
        Net net = replaceWeights(SmallNet.net(), "sc", 0, blobValues(new int[] {2}, Float.NaN, 1f));
        ModelException e = assertThrows(ModelException.class,
                () -> DynamicFixedExporter.export(net, BITS, FL, ANY));
        assertTrue(e.getMessage().startsWith("layer 'sc': "), e.getMessage());
    }

    @Test
    void missingWeightsAreReportedWithTheLayer() throws Exception {
        NetParameter.Builder definition = NetParameter.newBuilder();
        TextFormat.merge(SmallNet.DEFINITION, definition);
        Net withoutWeights = NetLoader.build(definition.build(), null);
        ModelException e = assertThrows(ModelException.class,
                () -> DynamicFixedExporter.export(withoutWeights, BITS, FL, ANY));
        assertTrue(e.getMessage().startsWith("layer 'bn': "), e.getMessage());
    }

    private static Blob blobValues(int[] shape, float... values) {
        return new Blob(shape, values);
    }

    private static Net replaceWeights(Net net, String layer, int index, Blob blob) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : net.layers()) {
            if (l.name().equals(layer)) {
                List<Blob> w = new ArrayList<>(l.weights());
                w.set(index, blob);
                l = new Layer(l.param(), w, l.topShapes());
            }
            layers.add(l);
        }
        return new Net(net.definition(), layers, net.blobShapes());
    }

    private static Set<String> fieldNames(PrecisionParameter p) {
        Set<String> names = new TreeSet<>();
        for (FieldDescriptor f : p.getAllFields().keySet()) {
            names.add(f.getName());
        }
        return names;
    }

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> s = new TreeSet<>(base);
        s.addAll(Set.of(more));
        return s;
    }
}
