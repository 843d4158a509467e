package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.export.DynamicFixedExporter;
import xportdnn.export.SmallNet;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.InParamsOut;

class BatchNormMeanCheckTest {

    /** A pair of two channels of means {@code m0} and {@code m1}, variance and gamma 1, beta 0. */
    private static Net means(float m0, float m1) {
        return SmallNet.batchNormPair(new float[] {m0, m1}, new float[] {1, 1}, new float[] {0, 0});
    }

    private static List<Notice> checked(Net net) {
        NetParameter written = DynamicFixedExporter.export(net, new InParamsOut(8, 8, 8), new InParamsOut(4, 6, 4),
                false).net();
        return BatchNormMeanCheck.of(net, written);
    }

    /**
     * At fl_layer_in 4 the runtime writes a mean at 12 fractional bits into 16 bits: 7.9 x 4096 = 32358 fits, and
     * -8.1 x 4096 = -33177.6 (truncated to -33177) does not, so channel 1 is named in one line; means 7.9 and -8
     * (-32768, the lowest 16-bit value) give no warning.
     */
    @Test
    void aMeanBeyondTheInputFormatIsNamedWithItsChannel() {
        List<Notice> notices = checked(means(7.9f, -8.1f));
        assertEquals(1, notices.size());
        String text = notices.get(0).text();
        assertTrue(notices.get(0).warning());
        assertTrue(text.startsWith("BatchNorm 'bn' (channel 1: mean -8.100, fl_layer_in 4), run with its Scale as one "
                + "op"), text);
        assertEquals(List.of(), checked(means(7.9f, -8f)));
    }

    /** The DynamicFixed export gives that warning with its others. */
    @Test
    void theExportWarnsOfIt() {
        Net net = means(7.9f, -8.1f);
        List<Notice> notices = new DynamicFixedExport(new InParamsOut(8, 8, 8), new InParamsOut(4, 6, 4), false, false,
                false).export(net, null).notices();
        assertTrue(notices.stream().anyMatch(n -> n.warning() && n.text().startsWith("BatchNorm 'bn' (channel 1: ")),
                notices.toString());
    }
}
