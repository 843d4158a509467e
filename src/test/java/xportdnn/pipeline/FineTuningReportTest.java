package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.tune.FastFinetune;

/**
 * The report's {@code fast_finetune} entries: a layer whose class scores' pooling got its own format chosen with
 * its output's names that pooling's format before and after; any other layer has no such fields. A layer whose
 * pooled codes wrap on calibration images with the written formats is warned of.
 */
class FineTuningReportTest {

    @Test
    void thePoolingsChosenFormatIsReportedWithItsInputsLayer() {
        FastFinetune.FormatResult head = new FastFinetune.FormatResult("fl_layer_out -4", "fl_layer_out -4",
                "class scores after pool_final", 10, 11,
                new FastFinetune.PoolingResult("pool_final fl_layer_out -1", "pool_final fl_layer_out 0"), 0);
        FastFinetune.FormatResult inner = new FastFinetune.FormatResult("fl_layer_out 2", "fl_layer_out 2", "output",
                20, 20, null, 0);
        FastFinetune.Result result = new FastFinetune.Result(NetParameter.getDefaultInstance(), NetParameter
                .getDefaultInstance(), List.of(new FastFinetune.LayerResult("conv1", 20, 21, true, null, inner),
                new FastFinetune.LayerResult("conv_final", 7, 8, true, null, head)));

        List<Map<String, Object>> report = FineTuning.report(result);

        assertFalse(report.get(0).containsKey("pooling_format_before"));
        assertEquals("pool_final fl_layer_out -1", report.get(1).get("pooling_format_before"));
        assertEquals("pool_final fl_layer_out 0", report.get(1).get("pooling_format_after"));
        assertEquals("class scores after pool_final", report.get(1).get("output_format_measured"));
    }

    /** A tuned layer whose pooled codes wrap on calibration images gets one warning naming it and the count. */
    @Test
    void wrappedCalibrationImagesAreWarnedOf() {
        FastFinetune.FormatResult head = new FastFinetune.FormatResult("fl_layer_out -4", "fl_layer_out -4",
                "class scores after pool_final", 10, 11, null, 3);
        FastFinetune.FormatResult inner = new FastFinetune.FormatResult("fl_layer_out 2", "fl_layer_out 2", "output",
                20, 20, null, 0);
        FastFinetune.Result result = new FastFinetune.Result(NetParameter.getDefaultInstance(), NetParameter
                .getDefaultInstance(), List.of(new FastFinetune.LayerResult("conv1", 20, 21, true, null, inner),
                new FastFinetune.LayerResult("conv_final", 7, 8, true, null, head)));

        List<Notice> notices = FineTuning.wrapped(result, 64);

        assertEquals(1, notices.size());
        assertTrue(notices.get(0).warning());
        assertTrue(notices.get(0).text().startsWith("layer 'conv_final': measured class scores after pool_final, a "
                + "pooled code wraps around on 3 of 64 calibration images"), notices.get(0).text());
    }

    /** A net without a convolution the device computes (poolings only): said so, not "averages NaN dB". */
    @Test
    void nothingToTuneIsSaidInWords() {
        FastFinetune.Result nothing = new FastFinetune.Result(NetParameter.getDefaultInstance(),
                NetParameter.getDefaultInstance(), List.of());
        assertEquals(new Notice(false, "fast finetune found no convolution the device computes, so it tuned nothing"),
                FineTuning.summary(nothing));
    }
}
