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
                "DetectionOutput", "Concat", "Flatten", "Reshape", "ArgMax", "Power", "Split", "ReLU"}) {
            assertEquals(ChaidnnSupport.SOFTWARE, of("type: '" + software + "'"), software);
        }
        assertEquals(ChaidnnSupport.INPUT, of("type: 'Input'"));
        for (String unsupported : new String[] {"LRN", "PReLU", "Sigmoid", "TanH", "ELU", "MVN", "Tile", "Slice"}) {
            assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: '" + unsupported + "'"), unsupported);
        }
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'ReLU' relu_param { negative_slope: 0.1 }"));
        assertEquals(ChaidnnSupport.SOFTWARE, of("type: 'ReLU' relu_param { negative_slope: 0 }"));
        assertEquals(ChaidnnSupport.DEVICE, of("type: 'Pooling' pooling_param { pool: AVE }"));
        assertEquals(ChaidnnSupport.UNSUPPORTED, of("type: 'Pooling' pooling_param { pool: STOCHASTIC }"));
    }
}
