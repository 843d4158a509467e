package xportdnn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.pipeline.CalibrationSettings;
import xportdnn.pipeline.ExportPipeline;
import xportdnn.pipeline.ExportSettings;
import xportdnn.pipeline.QuantType;
import xportdnn.precision.InParamsOut;

/**
 * The weight format tuning chooses (DynamicFixed): the shipped example's folded weights reach |w| 0.0121, and a
 * uniform fl_params of 15 at 8 bits holds only up to 127 x 2^-15 = 0.0039, so the large weights are clipped to a
 * third of their value. Of the candidates 14..17 the coarsest, 14 (up to 0.0078), clips least and must win in both
 * convolutions; the written weights are exact codes of the written fl_params, as the runtime will read them.
 */
class WeightFormatChoiceTest {

    @TempDir
    Path dir;

    @Test
    void aClippingWeightFormatIsMadeCoarser() {
        Path prototxt = dir.resolve("q.prototxt");
        Path caffemodel = dir.resolve("q.caffemodel");
        PreprocessingFlags flags = new PreprocessingFlags(null, null, null, 255f, new float[] {128, 128, 128}, null,
                1f);
        ExportPipeline.run(new ExportSettings(QuantType.DynamicFixed, Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"), prototxt, new InParamsOut(8, 8, 8), false,
                new InParamsOut(0, 15, 0), null, new CalibrationSettings("examples/tinynet/val.txt", 20, 3L, null, 8,
                flags), null, true, true, caffemodel), Progress.NONE);

        Net tuned = NetLoader.load(prototxt, caffemodel);
        for (String name : new String[] {"conv1", "conv2"}) {
            Layer conv = tuned.layer(name);
            assertEquals(14, conv.param().getPrecisionParam().getFlParams(), name);
            for (float w : conv.weights().get(0).data()) {
                double code = Math.scalb(w, 14);
                assertEquals(Math.rint(code), code, 1e-3, name + ": a written weight off the fl_params 14 grid");
                assertTrue(code >= -128 && code <= 127, name + ": a written weight the runtime would clip");
            }
        }
    }
}
