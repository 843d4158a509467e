package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.TextFormat;
import org.junit.jupiter.api.Test;
import xportdnn.model.proto.Caffe.LayerParameter;

/** Placement per spec/chaidnn-precision.md section 3. */
class ChaidnnSupportTest {

    private static ChaidnnSupport of(String text) throws TextFormat.ParseException {
        LayerParameter.Builder b = LayerParameter.newBuilder();
        TextFormat.merge(text, b);
        return ChaidnnSupport.of(b.build());
    }

    @Test
    void placements() throws TextFormat.ParseException {
        for (String device : new String[] {"Convolution", "Deconvolution", "Pooling", "BatchNorm", "Scale", "Eltwise",
                "Permute", "Normalize"}) {
            assertEquals(ChaidnnSupport.DEVICE, of("type: '" + device + "'"), device);
        }
        for (String software : new String[] {"InnerProduct", "Softmax", "Dropout", "Crop", "PriorBox",
                "DetectionOutput", "Concat", "Flatten", "Reshape", "ArgMax", "ReLU"}) {
            assertEquals(ChaidnnSupport.SOFTWARE, of("type: '" + software + "'"), software);
        }
        assertEquals(ChaidnnSupport.INPUT, of("type: 'Input'"));
        for (String unsupported : new String[] {"LRN", "PReLU", "Sigmoid", "TanH", "ELU", "MVN", "Tile", "Slice",
                "Split"}) {
            assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: '" + unsupported + "'"), unsupported);
        }
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'ReLU' relu_param { negative_slope: 0.1 }"));
        assertEquals(ChaidnnSupport.SOFTWARE, of("type: 'ReLU' relu_param { negative_slope: 0 }"));
        assertEquals(ChaidnnSupport.DEVICE, of("type: 'Pooling' pooling_param { pool: AVE }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Pooling' pooling_param { pool: STOCHASTIC }"));
    }

    /**
     * The settings CHaiDNN's parser (xtract/caffe_network_parser.cpp) stops at: an Eltwise MAX, with coeff or of
     * other than two bottoms (EP061, EP062); a Power other than the negation (EP072..EP074); a Scale along other
     * axes or by a second bottom (EP062, EP063).
     */
    @Test
    void settingsTheParserRefuses() throws TextFormat.ParseException {
        String two = "type: 'Eltwise' bottom: 'a' bottom: 'b' ";
        assertEquals(ChaidnnSupport.DEVICE, of(two));
        assertEquals(ChaidnnSupport.DEVICE, of(two + "eltwise_param { operation: PROD }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of(two + "eltwise_param { operation: MAX }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of(two + "eltwise_param { coeff: 1 coeff: -1 }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of(two + "bottom: 'c'"));
        assertEquals(ChaidnnSupport.SOFTWARE, of("type: 'Power' power_param { scale: -1 }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Power'"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Power' power_param { scale: -1 shift: 1 }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Power' power_param { power: 2 scale: -1 }"));
        assertEquals(ChaidnnSupport.DEVICE, of("type: 'Scale' bottom: 'a' scale_param { bias_term: true }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Scale' bottom: 'a' scale_param { axis: 2 }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Scale' bottom: 'a' scale_param { num_axes: 0 }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Scale' bottom: 'a' bottom: 'b'"));
    }

    /** An unsupported layer's warning names the setting and what CHaiDNN runs instead. */
    @Test
    void describeAndHintNameTheSetting() throws TextFormat.ParseException {
        LayerParameter.Builder b = LayerParameter.newBuilder();
        TextFormat.merge("type: 'Eltwise' bottom: 'a' bottom: 'b' eltwise_param { operation: MAX }", b);
        assertEquals("Eltwise MAX", ChaidnnSupport.describe(b.build()));
        assertEquals("CHaiDNN's Eltwise sums or multiplies exactly two bottoms, without coeff",
                ChaidnnSupport.hint(b.build()));
        LayerParameter.Builder p = LayerParameter.newBuilder();
        TextFormat.merge("type: 'Power' power_param { scale: 0.5 shift: 0.1 }", p);
        assertEquals("Power power 1.0 scale 0.5 shift 0.1", ChaidnnSupport.describe(p.build()));
    }
}
