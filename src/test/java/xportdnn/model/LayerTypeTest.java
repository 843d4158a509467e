package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import xportdnn.model.proto.Caffe.LayerParameter;

/** The descriptor's lookup and the facts it holds that the spec fixes. */
class LayerTypeTest {

    private static Set<String> typeNamesWhere(Predicate<LayerType> test) {
        return Arrays.stream(LayerType.values()).filter(test).map(LayerType::typeName).collect(Collectors.toSet());
    }

    @Test
    void everyKnownTypeNameRoundTrips() {
        for (LayerType type : LayerType.values()) {
            if (type != LayerType.UNKNOWN) {
                assertEquals(type, LayerType.of(type.typeName()));
                assertEquals(type, LayerType.of(LayerParameter.newBuilder().setType(type.typeName()).build()));
            }
        }
    }

    @Test
    void anyOtherTypeIsUnknown() {
        for (String other : new String[] {"", "Data", "SoftmaxWithLoss", "convolution", "Convolution ", "Foo"}) {
            assertEquals(LayerType.UNKNOWN, LayerType.of(other), other);
        }
        assertThrows(IllegalStateException.class, LayerType.UNKNOWN::typeName);
        assertEquals(ChaidnnSupport.UNSUPPORTED, ChaidnnSupport.of(LayerParameter.newBuilder().setType("Foo").build()));
    }

    /** spec/chaidnn-precision.md section 3. */
    @Test
    void precisionBlocksFollowTheSpec() {
        assertEquals(Set.of("Convolution", "BatchNorm", "Scale", "Pooling", "Eltwise", "Permute", "ReLU",
                "Deconvolution", "Concat", "Normalize", "Input"),
                typeNamesWhere(t -> t != LayerType.UNKNOWN && t.carriesXilinxBlock()));
        assertEquals(Set.of("Convolution", "BatchNorm", "Scale", "Pooling", "Eltwise", "Permute"),
                typeNamesWhere(t -> t != LayerType.UNKNOWN && t.carriesDynamicFixedBlock()));
        assertTrue(!LayerType.UNKNOWN.carriesXilinxBlock() && !LayerType.UNKNOWN.carriesDynamicFixedBlock());
    }

    @Test
    void bottomRangesAreRanges() {
        for (LayerType type : LayerType.values()) {
            assertTrue(0 <= type.minBottoms() && type.minBottoms() <= type.maxBottoms(), type.name());
        }
    }
}
