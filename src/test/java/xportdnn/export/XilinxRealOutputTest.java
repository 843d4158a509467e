package xportdnn.export;

import xportdnn.precision.InParamsOut;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xportdnn.SharedData;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.quant.TestStatistics;
import xportdnn.quant.ThresholdMethod;
import xportdnn.quant.XilinxThresholds;

/**
 * Our Xilinx output against the original tool's for the same user net (spec/real-xportdnn-output): the weights
 * and images behind the real files are not available, so the structure is compared, byte for byte once the
 * threshold values are masked.
 */
class XilinxRealOutputTest {

    private static final Pattern THRESHOLD_VALUE =
            Pattern.compile("(?m)^(\\s*th_(?:layer_in|layer_out|params): ).*$");

    /** The real files' bitwidth fields: 666 has in, params, out = 6, 6, 6; 668 has 8, 6, 8. */
    @ParameterizedTest
    @CsvSource({"fcn5_deploy_666.prototxt, 6, 6, 6", "fcn5_deploy_668.prototxt, 8, 6, 8"})
    void sameTextAsTheOriginalToolApartFromThresholdValues(String realFile, int in, int params, int out)
            throws Exception {
        Path spec = SharedData.require("spec/real-xportdnn-output");
        Path deploy = spec.resolve("fcn5_deploy.prototxt");
        Net bare = NetLoader.load(deploy, null);
        Net net = NetLoader.build(bare.definition(), TestWeights.random(bare.definition(), 5));

        XilinxThresholds thresholds =
                XilinxThresholds.compute(net, statistics(net), ThresholdMethod.parse("kl-j"), out);
        XilinxExporter.Result result = XilinxExporter.export(net, new InParamsOut(in, params, out), thresholds, false);
        String ours = PrototxtWriter.print(result.net());
        String real = Files.readString(spec.resolve(realFile));

        assertEquals(mask(real), mask(ours));
        assertEquals(Map.of("data", 10L), result.rebatchedInputs());
        assertTrue(result.zeroThresholds().isEmpty());
        // The masked lines are there in the same number: one th_params per output channel.
        assertEquals(count(real, "th_params: "), count(ours, "th_params: "));
        assertEquals(40 + 80 + 20 + 20 + 2, count(ours, "th_params: "));
    }

    /** Random outputs per layer, different in scale, rectified after the ReLUs. */
    private static Map<String, BlobHistograms> statistics(Net net) {
        Random r = new Random(17);
        Map<String, BlobHistograms> stats = new HashMap<>();
        for (Layer l : net.layers()) {
            float[] data = new float[4000];
            double scale = 1 + 100 * r.nextDouble();
            for (int i = 0; i < data.length; i++) {
                double v = r.nextGaussian() * scale;
                data[i] = (float) (l.type().equals("ReLU") ? Math.max(0, v) : v);
            }
            stats.put(l.name(), TestStatistics.of(data));
        }
        return stats;
    }

    private static String mask(String prototxt) {
        return THRESHOLD_VALUE.matcher(prototxt).replaceAll("$1#");
    }

    private static long count(String text, String what) {
        return List.of(text.split("\n")).stream().filter(line -> line.trim().startsWith(what)).count();
    }
}
