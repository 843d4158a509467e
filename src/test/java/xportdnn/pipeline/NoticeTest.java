package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;

class NoticeTest {

    /**
     * CHaiDNN's Xilinx-mode average pooling divides by kernel_h squared (AveragePooling.xilinx): a global pooling of a
     * 2x3 map divides its 6 values by 4, a 3x2 kernel by 9. Before, the export said nothing and validate showed
     * wrapped codes on a non-square input.
     */
    @Test
    void aNonSquareAveragePoolingIsWarnedOfInXilinxMode() {
        Net net = NetLoader.build(TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 3 } } }
                layer { name: "gp" type: "Pooling" bottom: "data" top: "gp" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "rect" type: "Pooling" bottom: "data" top: "rect"
                        pooling_param { pool: AVE kernel_h: 2 kernel_w: 1 } }
                layer { name: "square" type: "Pooling" bottom: "data" top: "square" pooling_param { pool: AVE kernel_size: 2 } }
                layer { name: "max" type: "Pooling" bottom: "data" top: "max" pooling_param { pool: MAX kernel_h: 2 kernel_w: 1 } }
                """), null);
        List<Notice> notices = Notice.xilinxAverages(net);
        assertEquals(2, notices.size(), notices.toString());
        assertTrue(notices.get(0).warning());
        assertEquals("layer 'gp' (AVE Pooling, kernel 2x3): CHaiDNN's Xilinx mode divides a window's sum by "
                + "kernel_h squared (4), not by its 6 values, so the device's averages are 1.5 times the true ones "
                + "(they may wrap around); give it a square kernel or use DynamicFixed mode", notices.get(0).text());
        assertTrue(notices.get(1).text().startsWith("layer 'rect' (AVE Pooling, kernel 2x1)"), notices.get(1).text());
        assertTrue(notices.get(1).text().contains("(4), not by its 2 values, so the device's averages are 0.5 times"),
                notices.get(1).text());
    }

    /**
     * A kernel of one row: 2^16 / 1 does not fit the factor's 16 bits, so Xilinx mode's factor is 0 and every average
     * 0 (AveragePooling.xilinx: m x a = 0), square (1x1) or not (1x2, which the non-square message would have called
     * twice the true average); a 2x2 kernel's factor 16384 averages.
     */
    @Test
    void anAveragePoolingOfOneRowIsWarnedOfInXilinxMode() {
        Net net = NetLoader.build(TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 5 dim: 5 } } }
                layer { name: "unit" type: "Pooling" bottom: "data" top: "u" pooling_param { pool: AVE kernel_size: 1 stride: 2 } }
                layer { name: "row" type: "Pooling" bottom: "data" top: "r"
                        pooling_param { pool: AVE kernel_h: 1 kernel_w: 2 stride: 2 } }
                layer { name: "fine" type: "Pooling" bottom: "data" top: "f" pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
                """), null);
        List<Notice> notices = Notice.xilinxAverages(net);
        assertEquals(2, notices.size(), notices.toString());
        assertEquals("layer 'unit' (AVE Pooling, kernel 1x1): CHaiDNN's Xilinx mode multiplies a window's sum by "
                + "2^16 / kernel_h squared in 16 bits, which is 0 for a kernel of one row, so every average on the "
                + "device is 0; give it a kernel of at least 2 rows or use DynamicFixed mode", notices.get(0).text());
        assertTrue(notices.get(1).text().startsWith("layer 'row' (AVE Pooling, kernel 1x2): CHaiDNN's Xilinx mode "
                + "multiplies"), notices.get(1).text());
    }

    /**
     * A kernel of 257 rows: 2^16 / 257^2 = 0 (65,536 / 66,049), the same factor of 0 as one row, and the remedy is
     * fewer rows, not more; 256 rows give 2^16 / 65,536 = 1, which averages.
     */
    @Test
    void anAveragePoolingOfMoreThan256RowsIsWarnedOfInXilinxMode() {
        Net net = NetLoader.build(TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 257 dim: 257 } } }
                layer { name: "tall" type: "Pooling" bottom: "data" top: "t" pooling_param { pool: AVE kernel_size: 257 } }
                layer { name: "max" type: "Pooling" bottom: "data" top: "m" pooling_param { pool: AVE kernel_size: 256 } }
                """), null);
        List<Notice> notices = Notice.xilinxAverages(net);
        assertEquals(1, notices.size(), notices.toString());
        assertEquals("layer 'tall' (AVE Pooling, kernel 257x257): CHaiDNN's Xilinx mode multiplies a window's sum by "
                + "2^16 / kernel_h squared in 16 bits, which is 0 for a kernel of more than 256 rows, so every average "
                + "on the device is 0; give it a kernel of 2 to 256 rows or use DynamicFixed mode",
                notices.get(0).text());
    }

    /**
     * DynamicFixed's average-pooling multiplier is floor(256 / (kh kw)) as a signed byte: 0 for the 1,024 values of
     * a global pooling of 32x32 (every average 0: compare's dynamicfixed:8 scored such a net at 0 dB and 0% agreement
     * without a word), -128 for a window of 2; 256 values give 1, 3 give 85, both fine.
     */
    @Test
    void anAveragePoolingDynamicFixedCannotAverageIsWarnedOf() {
        Net net = NetLoader.build(TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 32 dim: 32 } } }
                layer { name: "global" type: "Pooling" bottom: "data" top: "g" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "pair" type: "Pooling" bottom: "data" top: "p"
                        pooling_param { pool: AVE kernel_h: 1 kernel_w: 2 stride_h: 1 stride_w: 2 } }
                layer { name: "most" type: "Pooling" bottom: "data" top: "m" pooling_param { pool: AVE kernel_size: 16 stride: 16 } }
                layer { name: "few" type: "Pooling" bottom: "data" top: "f"
                        pooling_param { pool: AVE kernel_h: 1 kernel_w: 3 stride_h: 1 stride_w: 3 } }
                """), null);
        List<Notice> notices = Notice.dynamicFixedAverages(net);
        assertEquals(2, notices.size(), notices.toString());
        assertTrue(notices.get(0).warning());
        assertEquals("layer 'global' (AVE Pooling, kernel 32x32): CHaiDNN's DynamicFixed mode multiplies a window's "
                + "sum by 1/1024 in a signed byte of 8 fractional bits, which is 0, so the device's averages are wrong "
                + "(0 for every window of more than 256 values); pool windows of 3 to 256 values or use Xilinx "
                + "mode", notices.get(0).text());
        assertTrue(notices.get(1).text().startsWith("layer 'pair' (AVE Pooling, kernel 1x2)")
                && notices.get(1).text().contains("1/2 in a signed byte of 8 fractional bits, which is -128, so the "
                + "device's averages are wrong (the byte overflows for a window of 1 or 2 values)"),
                notices.get(1).text());
    }

    /**
     * DynamicFixed's multiplier floor(256 / (kh kw)) truncates: GoogLeNet's 7x7 pooling gets 5/256 instead of
     * 1/49, so every average is 1 - 5 * 49 / 256 = 4.3% too small, a 3x3 one 28/256 instead of 1/9, 1.6%; 1x3 gets
     * 85/256, 0.4% (not warned) and 4x4 exactly 16/256.
     */
    @Test
    void aDynamicFixedAverageTruncatedByAPercentOrMoreIsWarnedOf() {
        Net net = NetLoader.build(TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 7 dim: 7 } } }
                layer { name: "seven" type: "Pooling" bottom: "data" top: "s" pooling_param { pool: AVE kernel_size: 7 } }
                layer { name: "three" type: "Pooling" bottom: "data" top: "t" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
                layer { name: "row" type: "Pooling" bottom: "data" top: "r"
                        pooling_param { pool: AVE kernel_h: 1 kernel_w: 3 stride_h: 1 stride_w: 2 } }
                layer { name: "four" type: "Pooling" bottom: "data" top: "f" pooling_param { pool: AVE kernel_size: 4 stride: 3 } }
                """), null);
        List<Notice> notices = Notice.dynamicFixedAverages(net);
        assertEquals(2, notices.size(), notices.toString());
        assertTrue(notices.get(0).warning());
        assertEquals("layer 'seven' (AVE Pooling, kernel 7x7): CHaiDNN's DynamicFixed mode multiplies a window's sum "
                + "by 1/49 in a signed byte of 8 fractional bits, truncated to 5/256, so the device's averages are 4.3% "
                + "smaller than Caffe's; pool windows of 4, 16, 64 or 256 values or use Xilinx mode",
                notices.get(0).text());
        assertTrue(notices.get(1).text().startsWith("layer 'three' (AVE Pooling, kernel 3x3)")
                && notices.get(1).text().contains("truncated to 28/256, so the device's averages are 1.6% smaller"),
                notices.get(1).text());
    }

    /**
     * Caffe divides a window reaching past the padded input (ceil rounding) by the part inside, CHaiDNN by the whole
     * kernel (AveragePooling): 4 columns pooled 3 at stride 2 end in a window of 2 columns, one of 3 padded by 1 in
     * one of 2. Windows that tile the input, or reach only into the padding, divide alike.
     */
    @Test
    void anAveragePoolingWithWindowsPastTheInputIsWarnedOf() {
        Net net = NetLoader.build(TestWeights.definition("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 4 dim: 4 } } }
                layer { name: "over" type: "Pooling" bottom: "data" top: "over" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
                layer { name: "padded" type: "Pooling" bottom: "data" top: "padded"
                        pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
                layer { name: "tiles" type: "Pooling" bottom: "data" top: "tiles" pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
                layer { name: "inpad" type: "Pooling" bottom: "data" top: "inpad"
                        pooling_param { pool: AVE kernel_size: 3 stride: 1 pad: 1 } }
                layer { name: "max" type: "Pooling" bottom: "data" top: "max" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
                """), null);
        List<Notice> notices = Notice.partialAverages(net);
        assertEquals(2, notices.size(), notices.toString());
        assertEquals("layer 'over' (AVE Pooling): its last windows reach past the input and its padding (the output "
                + "size rounds up); Caffe divides their sums by the values inside, CHaiDNN by the whole kernel (9), so "
                + "the device's averages there are smaller; choose a kernel, stride and pad that tile the input",
                notices.get(0).text());
        assertTrue(notices.get(1).text().startsWith("layer 'padded' (AVE Pooling)"), notices.get(1).text());
    }

    /**
     * Removing a Split whose top a ReLU rewrites in place would let that ReLU rewrite the blob the other branch
     * reads (Caffe gives each Split top a blob of its own): the hint names the ReLU; a Split without one keeps the
     * plain hint.
     */
    @Test
    void aSplitWhoseTopIsRewrittenInPlaceNamesTheLayerToGiveATopOfItsOwn() {
        String input = "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 2 } } }\n"
                + "layer { name: \"sp\" type: \"Split\" bottom: \"data\" top: \"s1\" top: \"s2\" }\n";
        String plain = "layer 'sp' (Split) is not supported by CHaiDNN; the net will not run on the device as it is (remove "
                + "it and let its readers read its bottom, which CHaiDNN allows";
        Net net = NetLoader.build(TestWeights.definition(input
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"s1\" top: \"s1\" }\n"
                + "layer { name: \"sum\" type: \"Eltwise\" bottom: \"s1\" bottom: \"s2\" top: \"sum\" }\n"), null);
        assertEquals(plain + ", after giving 'relu' a top of its own: it writes a top of the Split in place, which would "
                + "change the blob every reader reads)", Notice.unsupported(net).get(0).text());
        Net without = NetLoader.build(TestWeights.definition(input
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"s1\" top: \"r\" }\n"
                + "layer { name: \"sum\" type: \"Eltwise\" bottom: \"r\" bottom: \"s2\" top: \"sum\" }\n"), null);
        assertEquals(plain + ")", Notice.unsupported(without).get(0).text());
    }
}
