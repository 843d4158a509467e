package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * The shipped example's caffemodel is written as Caffe writes one (tools/MakeExample.java): every layer of the
 * deploy net with its type, bottoms and tops, so that the folding check (FoldingMismatch) guards it without the
 * sidecar too.
 */
class ShippedExampleTest {

    @Test
    void theCaffemodelCarriesEveryLayersTypeBottomsAndTops() throws Exception {
        NetParameter.Builder deploy = NetParameter.newBuilder();
        TextFormat.merge(Files.readString(Path.of("examples/tinynet/deploy.prototxt")), deploy);
        NetParameter model;
        try (InputStream in = Files.newInputStream(Path.of("examples/tinynet/tinynet.caffemodel"))) {
            model = NetParameter.parseFrom(in);
        }
        Map<String, LayerParameter> stored = model.getLayerList().stream()
                .collect(Collectors.toMap(LayerParameter::getName, Function.identity()));
        assertEquals(deploy.getLayerCount(), stored.size());
        for (LayerParameter layer : deploy.getLayerList()) {
            LayerParameter s = stored.get(layer.getName());
            assertEquals(layer.getType(), s.getType(), layer.getName());
            assertEquals(layer.getBottomList(), s.getBottomList(), layer.getName());
            assertEquals(layer.getTopList(), s.getTopList(), layer.getName());
        }
        // the learned layers hold their blobs (weights and bias; BatchNorm's mean, variance and factor)
        assertEquals(2, stored.get("conv1").getBlobsCount());
        assertEquals(3, stored.get("bn1").getBlobsCount());
        assertEquals(2, stored.get("scale1").getBlobsCount());
        assertEquals(2, stored.get("fc").getBlobsCount());
        assertTrue(stored.get("relu1").getBlobsList().isEmpty());
    }
}
