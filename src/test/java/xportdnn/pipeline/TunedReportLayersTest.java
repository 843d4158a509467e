package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.ThresholdMethod;

/**
 * The {@code --report}'s layers section after {@code --fast_finetune} shows the formats of the prototxt as written,
 * not the export's from before the tuning. The shipped example is exported with formats the tuning must change:
 * Xilinx thresholds at the 60th percentile of |x| (most large values clipped), DynamicFixed with a uniform
 * fl_layer_out of 6 at 8 bits (values up to 2 where the activations reach about 13).
 */
class TunedReportLayersTest {

    private static final Path DEPLOY = Path.of("examples/tinynet/deploy.prototxt");
    private static final Path WEIGHTS = Path.of("examples/tinynet/tinynet.caffemodel");
    private static final PreprocessingFlags FLAGS = new PreprocessingFlags(null, null, null, 255f,
            new float[] {128, 128, 128}, null, 1f);
    private static final InParamsOut EIGHT = new InParamsOut(8, 8, 8);

    @TempDir
    Path dir;

    @Test
    void xilinxLayersShowTheTunedThresholds() throws IOException {
        ThresholdMethod method = ThresholdMethod.parse("percentile:60");
        JsonObject plainReport = export(QuantType.Xilinx, null, method, false);
        Map<String, PrecisionParameter> plain = written();
        JsonObject report = export(QuantType.Xilinx, null, method, true);
        Map<String, PrecisionParameter> tuned = written();
        int changed = 0;
        for (JsonElement e : report.getAsJsonArray("layers")) {
            JsonObject layer = e.getAsJsonObject();
            String name = layer.get("name").getAsString();
            PrecisionParameter p = tuned.get(name);
            if (p == null) {
                continue; // written without a precision_param (the head the ARM runs)
            }
            if (p.hasThLayerIn()) { // the net's input has none
                assertEquals(p.getThLayerIn(), layer.get("th_layer_in").getAsFloat(), layer.toString());
            }
            assertEquals(p.getThLayerOut(), layer.get("th_layer_out").getAsFloat(), layer.toString());
            boolean moved = p.getThLayerOut() != plain.get(name).getThLayerOut();
            assertEquals(moved ? "fast-finetune" : method(plainReport, name), layer.get("method").getAsString(),
                    name);
            changed += moved ? 1 : 0;
        }
        assertTrue(changed > 0, "the fixture must have the tuning change a threshold: " + report);
    }

    @Test
    void dynamicFixedLayersShowTheTunedFormats() throws IOException {
        InParamsOut uniform = new InParamsOut(6, 6, 6);
        export(QuantType.DynamicFixed, uniform, null, false);
        Map<String, PrecisionParameter> plain = written();
        JsonObject report = export(QuantType.DynamicFixed, uniform, null, true);
        Map<String, PrecisionParameter> tuned = written();
        int changed = 0;
        for (JsonElement e : report.getAsJsonArray("layers")) {
            JsonObject layer = e.getAsJsonObject();
            String name = layer.get("name").getAsString();
            PrecisionParameter p = tuned.get(name);
            assertEquals(p.getFlLayerIn(), layer.get("fl_layer_in").getAsInt(), layer.toString());
            assertEquals(p.getFlLayerOut(), layer.get("fl_layer_out").getAsInt(), layer.toString());
            if (p.hasFlParams()) {
                assertEquals(p.getFlParams(), layer.get("fl_params").getAsInt(), layer.toString());
            }
            changed += p.getFlLayerOut() != plain.get(name).getFlLayerOut() ? 1 : 0;
        }
        assertTrue(changed > 0, "the fixture must have the tuning change a format: " + report);
    }

    private JsonObject export(QuantType type, InParamsOut fractionalLengths, ThresholdMethod method, boolean tune)
            throws IOException {
        Path report = dir.resolve("report.json");
        ExportPipeline.run(new ExportSettings(type, DEPLOY, WEIGHTS, dir.resolve("q.prototxt"), EIGHT, false,
                fractionalLengths, method, new CalibrationSettings("examples/tinynet/val.txt", 20, 3L, null, 8, FLAGS),
                report, true, tune, dir.resolve("q.caffemodel")), Progress.NONE);
        return JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    }

    private Map<String, PrecisionParameter> written() {
        Map<String, PrecisionParameter> out = new HashMap<>();
        for (LayerParameter l : NetLoader.load(dir.resolve("q.prototxt"), dir.resolve("q.caffemodel")).definition()
                .getLayerList()) {
            if (l.hasPrecisionParam()) {
                out.put(l.getName(), l.getPrecisionParam());
            }
        }
        return out;
    }

    private static String method(JsonObject report, String layer) {
        for (JsonElement e : report.getAsJsonArray("layers")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(layer)) {
                return e.getAsJsonObject().get("method").getAsString();
            }
        }
        throw new AssertionError(layer + " missing from the plain export's report");
    }
}
