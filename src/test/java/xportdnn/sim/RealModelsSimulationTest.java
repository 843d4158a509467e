package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.SharedData;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.precision.InParamsOut;
import xportdnn.export.XilinxExporter;
import xportdnn.model.Blob;
import xportdnn.model.CaffemodelReader;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.DynamicFixed;
import xportdnn.quant.KlJThreshold;
import xportdnn.quant.XilinxThresholds;

/**
 * The six real models, quantized from their reference input and simulated on it in both modes: every model
 * builds and runs with the float engine's output names and shapes; the only layers not simulated in integers are
 * the ones CHaiDNN's support table implies (cifar10_full's LRN layers are not supported; YuFaceDetectNet's
 * Normalize layers run on the device, but the simulator computes them in float); and at 16 bits DynamicFixed
 * (steps at most 2^-2 against activations in the tens to thousands) predicts the float class of the classifiers.
 */
class RealModelsSimulationTest {

    private static final Map<SharedData.Model, Set<String>> FLOAT_LAYERS = Map.of(
            SharedData.Model.CIFAR10_FULL, Set.of("norm1", "norm2"),
            SharedData.Model.YUFACE, Set.of("conv3_3_norm", "conv4_3_norm", "conv5_3_norm", "conv6_3_norm"));

    @ParameterizedTest
    @EnumSource(SharedData.Model.class)
    void simulatesInBothModes(SharedData.Model model) {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        NetParameter caffemodel = CaffemodelReader.read(model.caffemodel());
        Blob input = Npy.read(model.reference("input.npy"));
        FloatEngine engine = new FloatEngine(net);
        Map<String, INDArray> expected = engine.forward(input.data(), 1, null);
        Statistics stats = Statistics.of(engine, input.data());

        XilinxThresholds thresholds = XilinxThresholds.compute(net, stats.histograms(), new KlJThreshold(), 8);
        check(model, new FixedPointNet(NetLoader.build(
                XilinxExporter.export(net, new InParamsOut(8, 8, 8), thresholds, false).net(), caffemodel)),
                input, expected);
        check(model, dynamicFixed(net, caffemodel, stats, 8), input, expected);

        FixedPointNet wide = dynamicFixed(net, caffemodel, stats, 16);
        Map<String, INDArray> got = check(model, wide, input, expected);
        if (model != SharedData.Model.YUFACE) {
            String prob = engine.outputNames().get(0);
            assertEquals(argmax(expected.get(prob)), argmax(got.get(prob)), model + " top-1 at 16 bits");
        }
    }

    private static Map<String, INDArray> check(SharedData.Model model, FixedPointNet sim, Blob input,
            Map<String, INDArray> expected) {
        Set<String> noted = new TreeSet<>();
        for (String note : sim.notes()) {
            noted.add(note.substring(note.indexOf('\'') + 1, note.indexOf('\'', note.indexOf('\'') + 1)));
        }
        assertEquals(new TreeSet<>(FLOAT_LAYERS.getOrDefault(model, Set.of())), noted, sim.notes().toString());
        Map<String, INDArray> got = sim.forward(input.data(), 1, null);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(got.keySet()), model + " " + sim.quantType());
        expected.forEach((name, value) -> assertArrayEquals(value.shape(), got.get(name).shape(), name));
        return got;
    }

    /** The Q.F a user would pick: no activation or convolution weight of the calibration saturates. */
    private static FixedPointNet dynamicFixed(Net net, NetParameter caffemodel, Statistics stats, int bw) {
        double activations = 0;
        for (ActivationRange r : stats.ranges().values()) {
            activations = Math.max(activations, r.maxAbs());
        }
        double weights = 0;
        for (Layer l : net.layers()) {
            if (l.type().equals("Convolution")) {
                for (float w : l.weights().get(0).data()) {
                    weights = Math.max(weights, Math.abs(w));
                }
            }
        }
        InParamsOut fl = new InParamsOut(DynamicFixed.largestFl(-activations, activations, bw),
                DynamicFixed.largestFl(-weights, weights, bw), DynamicFixed.largestFl(-activations, activations, bw));
        return new FixedPointNet(NetLoader.build(
                DynamicFixedExporter.export(net, new InParamsOut(bw, bw, bw), fl, true).net(), caffemodel));
    }

    private static int argmax(INDArray a) {
        float[] v = Tensors.floats(a);
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }

    /** Calibration statistics of one image, in the calibrator's two passes (range, then histograms). */
    private record Statistics(Map<String, ActivationRange> ranges, Map<String, BlobHistograms> histograms) {

        static Statistics of(FloatEngine engine, float[] image) {
            Map<String, ActivationRange> ranges = new LinkedHashMap<>();
            engine.forward(image, 1, (l, tops) -> {
                ActivationRange r = ranges.computeIfAbsent(l.name(), k -> new ActivationRange());
                tops.forEach(t -> {
                    float[] v = Tensors.floats(t);
                    r.add(v, 0, v.length);
                });
            });
            Map<String, BlobHistograms> histograms = new LinkedHashMap<>();
            ranges.forEach((name, r) -> histograms.put(name, new BlobHistograms(r, KlJThreshold.binCount(r))));
            engine.forward(image, 1, (l, tops) -> tops.forEach(t -> {
                float[] v = Tensors.floats(t);
                histograms.get(l.name()).add(v, 0, v.length);
            }));
            return new Statistics(ranges, histograms);
        }
    }
}
