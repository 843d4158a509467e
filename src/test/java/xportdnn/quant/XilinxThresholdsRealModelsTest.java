package xportdnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import xportdnn.SharedData;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.quant.XilinxThresholds.LayerThresholds;

/** The propagation rules hold on the real models' graphs; ResNet-20's fused weight thresholds by hand. */
class XilinxThresholdsRealModelsTest {

    /** Random outputs of a different scale for every layer, so that no two thresholds agree by accident. */
    private static Map<String, BlobHistograms> randomStatistics(Net net) {
        Random r = new Random(29);
        Map<String, BlobHistograms> stats = new HashMap<>();
        for (Layer l : net.layers()) {
            float[] data = new float[2000];
            double scale = 0.5 + 50 * r.nextDouble();
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (r.nextGaussian() * scale);
            }
            stats.put(l.name(), TestStatistics.of(data));
        }
        return stats;
    }

    @ParameterizedTest
    @EnumSource(value = SharedData.Model.class, names = {"RESNET20", "SQUEEZENET", "YUFACE", "CIFAR10_FULL"})
    void everyReaderSeesItsWritersThreshold(SharedData.Model model) {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        XilinxThresholds t = XilinxThresholds.compute(net, randomStatistics(net), ThresholdMethod.parse("kl-j"), 6);
        List<Layer> layers = net.layers();
        int eltwise = 0;
        int concat = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            LayerThresholds lt = t.of(l.name());
            assertTrue(lt.in() >= 0 && lt.out() >= 0 && !Double.isNaN(lt.in()) && !Double.isNaN(lt.out()), l.name());
            for (int b = 0; b < l.bottoms().size(); b++) {
                LayerThresholds writer = lastWriter(t, layers, i, l.bottoms().get(b));
                if (b == 0 || l.type().equals("Eltwise") || l.type().equals("Concat")) {
                    assertEquals(lt.in(), writer.out(), 0, l.name() + " reads " + l.bottoms().get(b) + " from "
                            + writer.name());
                }
            }
            if (l.inPlace() && List.of("ReLU", "BatchNorm", "Scale").contains(l.type())) {
                assertEquals(lt.in(), lt.out(), 0, l.name());
            }
            if (l.type().equals("Concat")) {
                concat++;
                assertEquals(lt.in(), lt.out(), 0, l.name());
            }
            if (l.type().equals("Eltwise")) {
                eltwise++;
            }
            if (List.of("Convolution", "Deconvolution").contains(l.type())) {
                assertEquals(l.param().getConvolutionParam().getNumOutput(), lt.params().length, l.name());
            }
        }
        assertEquals(model == SharedData.Model.RESNET20 ? 9 : 0, eltwise);
        assertEquals(switch (model) {
            case SQUEEZENET -> 8;
            case YUFACE -> 3;
            default -> 0;
        }, concat);
    }

    /** The layer before {@code index} that last wrote {@code blob} (with it as its first top). */
    private static LayerThresholds lastWriter(XilinxThresholds t, List<Layer> layers, int index, String blob) {
        for (int k = index - 1; k >= 0; k--) {
            if (layers.get(k).tops().contains(blob)) {
                assertEquals(blob, layers.get(k).tops().get(0), "the writer's first top");
                return t.of(layers.get(k).name());
            }
        }
        throw new AssertionError("no writer of " + blob);
    }

    /** th_params[c] = max|w[c]| * |gamma[c]| / sqrt(var[c] / s + 1e-5), computed here in double. */
    @Test
    void resnet20ConvolutionsUseTheirFusedBatchNormAndScale() {
        Net net = NetLoader.load(SharedData.Model.RESNET20.prototxt(), SharedData.Model.RESNET20.caffemodel());
        XilinxThresholds t = XilinxThresholds.compute(net, randomStatistics(net), ThresholdMethod.parse("max"), 8);
        int fused = 0;
        for (Layer conv : net.layers()) {
            if (!conv.type().equals("Convolution")) {
                continue;
            }
            String n = conv.name().substring("Convolution".length());
            Layer bn = net.layer("BatchNorm" + n);
            Layer scale = net.layer("Scale" + n);
            LayerThresholds lt = t.of(conv.name());
            assertEquals(List.of(bn.name(), scale.name()), lt.fusedWith());
            float[] w = conv.weights().get(0).data();
            int channels = conv.weights().get(0).shape()[0];
            int per = w.length / channels;
            double factor = bn.weights().get(2).data()[0];
            int changed = 0;
            assertEquals(999.9824, factor, 1e-3, "SOURCE.md: every BatchNorm's scale factor");
            for (int c = 0; c < channels; c++) {
                double maxW = 0;
                for (int k = 0; k < per; k++) {
                    maxW = Math.max(maxW, Math.abs(w[c * per + k]));
                }
                double variance = bn.weights().get(1).data()[c] / factor;
                double expected = maxW * Math.abs(scale.weights().get(0).data()[c]) / Math.sqrt(variance + 1e-5);
                assertEquals(expected, lt.params()[c], expected * 1e-6, conv.name() + " channel " + c);
                if (Math.abs(expected - maxW) > 0.01 * maxW) {
                    changed++;
                }
            }
            assertTrue(changed > channels / 2, conv.name() + ": the fusion changes most thresholds");
            fused++;
        }
        assertEquals(21, fused);
    }
}
