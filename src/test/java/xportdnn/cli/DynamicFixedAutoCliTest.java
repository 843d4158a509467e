package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData.Model;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/** {@code --fl_bitwidths auto} end to end: formats per layer that chain consistently through the graph. */
class DynamicFixedAutoCliTest {

    @TempDir
    Path dir;

    @Test
    void resnetFormatsChainThroughTheGraph() throws Exception {
        Model model = Model.RESNET20;
        Path out = dir.resolve("auto.prototxt");
        List<String> args = new ArrayList<>(List.of("--quant_type", "DynamicFixed", "--fl_bitwidths", "auto",
                "--deploy_model", model.prototxt().toString(), "--weights", model.caffemodel().toString(),
                "--quantized_deploy_model", out.toString(), "--bitwidths", "8,8,8", "--calibration_size", "8",
                "--quiet", "--fuse_bn", "--quantized_weights", dir.resolve("auto.caffemodel").toString()));
        args.addAll(XilinxCliTest.calibration(model));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().contains("fractional lengths chosen per layer on 8 calibration images"), run.stdout());

        NetParameter.Builder net = NetParameter.newBuilder();
        TextFormat.getParser().merge(Files.readString(out), net);
        Map<String, Integer> blobFl = new HashMap<>();
        Set<Integer> outputFormats = new HashSet<>();
        int eltwise = 0;
        for (LayerParameter l : net.getLayerList()) {
            if (!l.hasPrecisionParam()) {
                continue;
            }
            PrecisionParameter p = l.getPrecisionParam();
            for (String b : l.getBottomList()) {
                Integer producer = blobFl.get(b);
                if (producer != null) {
                    assertEquals(producer.intValue(), p.getFlLayerIn(), l.getName() + " reads " + b);
                }
            }
            if (l.getType().equals("Eltwise")) {
                eltwise++;
            }
            if (l.getType().equals("Convolution")) {
                // 8-bit weights of a trained net: never the uniform default, and within the weights' own range
                // (folded: the first convolution's weights, scaled by BatchNorm over a 0-255 input, are small)
                assertTrue(p.getFlParams() >= 3 && p.getFlParams() <= 14, l.getName() + " fl_params " + p.getFlParams());
            }
            outputFormats.add(p.getFlLayerOut());
            l.getTopList().forEach(t -> blobFl.put(t, p.getFlLayerOut()));
        }
        assertEquals(9, eltwise);
        assertTrue(outputFormats.size() >= 2, "formats differ between layers: " + outputFormats);
    }

    /**
     * ResNet-20's first convolution feeds BatchNorm + Scale; their fused weights are small (the raw 0-255 input
     * makes the convolution's variance large), and the runtime would give them fl 7: the export is refused in one
     * line that names the layer and --fuse_bn, and nothing is written; --fuse_bn folds them here instead, writing a
     * net without BatchNorm/Scale and its caffemodel, and --quantized_weights alone does the same with a note.
     */
    @Test
    void runtimeFusionIsRefusedAndFuseBnFoldsInstead() throws Exception {
        Model model = Model.RESNET20;
        Path out = dir.resolve("df.prototxt");
        CliRun plain = CliRun.of("--quant_type", "DynamicFixed", "--deploy_model", model.prototxt().toString(),
                "--weights", model.caffemodel().toString(), "--quantized_deploy_model", out.toString(),
                "--bitwidths", "8,8,8", "--fl_bitwidths", "0,7,0");
        assertEquals(2, plain.status(), plain.stderr());
        assertEquals("xportdnn: error: layer 'Convolution1': the runtime fuses it with its BatchNorm/Scale and leaves "
                + "the fused weights 2 of 127 levels (and 9 more layers); pass --fuse_bn --quantized_weights W to "
                + "fold BatchNorm here\n", plain.stderr());
        assertEquals("", plain.stdout());
        assertFalse(Files.exists(out));

        Path implied = dir.resolve("implied.caffemodel");
        CliRun weightsOnly = CliRun.of("--quant_type", "DynamicFixed", "--deploy_model", model.prototxt().toString(),
                "--weights", model.caffemodel().toString(), "--quantized_deploy_model", out.toString(),
                "--bitwidths", "8,8,8", "--fl_bitwidths", "0,7,0", "--quantized_weights", implied.toString());
        assertEquals(0, weightsOnly.status(), weightsOnly.stderr());
        assertTrue(weightsOnly.stderr().contains("xportdnn: note: folded BatchNorm/Scale into 21 convolutions "
                + "(Convolution1, Convolution2, Convolution3, ...) as --fuse_bn does (--quantized_weights given)\n"), weightsOnly.stderr());
        assertTrue(Files.size(implied) > 1_000_000, "the folded caffemodel holds the weights");

        Path folded = dir.resolve("folded.prototxt");
        Path weights = dir.resolve("folded.caffemodel");
        CliRun fuse = CliRun.of("--quant_type", "DynamicFixed", "--deploy_model", model.prototxt().toString(),
                "--weights", model.caffemodel().toString(), "--quantized_deploy_model", folded.toString(),
                "--bitwidths", "8,8,8", "--fl_bitwidths", "0,7,0", "--fuse_bn", "--quantized_weights",
                weights.toString());
        assertEquals(0, fuse.status(), fuse.stderr());
        assertTrue(!fuse.stderr().contains("CHaiDNN fuses it"), fuse.stderr());
        NetParameter.Builder net = NetParameter.newBuilder();
        TextFormat.getParser().merge(Files.readString(folded), net);
        assertTrue(net.getLayerList().stream().noneMatch(l -> l.getType().equals("BatchNorm")));
        assertTrue(Files.size(weights) > 1_000_000, "the folded caffemodel holds the weights");
    }
}
