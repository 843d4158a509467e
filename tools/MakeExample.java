// Writes examples/tinynet: a small Caffe classifier whose weights are designed by hand (no training needed) and a
// labelled image set it classifies well, so every xportdnn command has a real example that ships with the repo.
//
// Run from the repository root after a build:
//   java -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/MakeExample.java examples/tinynet
//
// The task: a 32x32 RGB image holds a coloured square on a noisy grey background; the class is the square's colour
// (0 red, 1 green, 2 blue). conv1 has three "colour-opponent" filters (channel c minus the mean of the others) and
// five random texture filters; BatchNorm/Scale normalise them with statistics measured on generated images; the
// colour maps pass through conv2 and global average pooling to the classifier, which weighs them per class.
import com.google.protobuf.TextFormat;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

public class MakeExample {
    static final int SIZE = 32;
    static final String[] CLASSES = {"red", "green", "blue"};

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/tinynet");
        Files.createDirectories(dir.resolve("images"));
        Random rnd = new Random(20261121L);

        Files.writeString(dir.resolve("deploy.prototxt"), PROTOTXT);
        Files.writeString(dir.resolve("classes.txt"), String.join("\n", CLASSES) + "\n");

        StringBuilder val = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            int label = i % 3;
            String name = String.format("images/%s_%02d.png", CLASSES[label], i / 3);
            ImageIO.write(image(label, rnd), "png", dir.resolve(name).toFile());
            val.append(name).append(' ').append(label).append('\n');
        }
        Files.writeString(dir.resolve("val.txt"), val.toString());

        Map<String, List<BlobProto>> blobs = new LinkedHashMap<>();
        blobs.put("conv1", conv1(rnd));
        blobs.put("bn1", bnStats());
        blobs.put("scale1", scale1());
        blobs.put("conv2", conv2(rnd));
        blobs.put("fc", fc(rnd));
        NetParameter weights = caffemodel(blobs);
        try (OutputStream out = Files.newOutputStream(dir.resolve("tinynet.caffemodel"))) {
            weights.writeTo(out);
        }
        System.out.println("wrote " + dir);
    }

    /** A noisy grey background with a square of the class colour at a random place and brightness. */
    static BufferedImage image(int label, Random rnd) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        int side = 10 + rnd.nextInt(12);
        int x0 = rnd.nextInt(SIZE - side + 1);
        int y0 = rnd.nextInt(SIZE - side + 1);
        int bright = 150 + rnd.nextInt(100);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int grey = 70 + rnd.nextInt(60);
                int[] rgb = {grey, grey, grey};
                if (x >= x0 && x < x0 + side && y >= y0 && y < y0 + side) {
                    for (int c = 0; c < 3; c++) {
                        rgb[c] = c == label ? bright : 40 + rnd.nextInt(50);
                    }
                }
                img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return img;
    }

    // The net sees B,G,R planes (caffe.io channel_swap 2,1,0) minus 128: plane p holds colour 2 - p.
    static int plane(int colour) {
        return 2 - colour;
    }

    /** conv1: 8 x 3 x 3 x 3. Filters 0-2 respond to red, green, blue; 3-7 are random textures. */
    static List<BlobProto> conv1(Random rnd) {
        float[] w = new float[8 * 3 * 9];
        for (int f = 0; f < 8; f++) {
            for (int p = 0; p < 3; p++) {
                for (int k = 0; k < 9; k++) {
                    float v;
                    if (f < 3) {
                        v = (p == plane(f) ? 1f : -0.5f) / 9f;
                    } else {
                        v = (float) (rnd.nextGaussian() * 0.05);
                    }
                    w[(f * 3 + p) * 9 + k] = v;
                }
            }
        }
        float[] b = new float[8];
        return List.of(blob(w, 8, 3, 3, 3), blob(b, 8));
    }

    /** BatchNorm blobs as Caffe stores them: mean and variance multiplied by a scale factor, and the factor. */
    static List<BlobProto> bnStats() {
        float factor = 999.98f;
        float[] mean = new float[8];
        float[] var = new float[8];
        for (int c = 0; c < 8; c++) {
            mean[c] = (c < 3 ? 2f : 0f) * factor;
            var[c] = (c < 3 ? 400f : 25f) * factor;
        }
        return List.of(blob(mean, 8), blob(var, 8), blob(new float[] {factor}, 1));
    }

    static List<BlobProto> scale1() {
        float[] gamma = new float[8];
        float[] beta = new float[8];
        for (int c = 0; c < 8; c++) {
            gamma[c] = c < 3 ? 1.5f : 0.5f;
            beta[c] = c < 3 ? -0.5f : 0f;
        }
        return List.of(blob(gamma, 8), blob(beta, 8));
    }

    /** conv2: 16 x 8 x 3 x 3. Filters 0-2 pass the colour maps through (centre tap), the rest mix at random. */
    static List<BlobProto> conv2(Random rnd) {
        float[] w = new float[16 * 8 * 9];
        for (int f = 0; f < 16; f++) {
            for (int c = 0; c < 8; c++) {
                for (int k = 0; k < 9; k++) {
                    float v = f < 3 ? (c == f && k == 4 ? 1f : 0f) : (float) (rnd.nextGaussian() * 0.08);
                    w[(f * 8 + c) * 9 + k] = v;
                }
            }
        }
        return List.of(blob(w, 16, 8, 3, 3), blob(new float[16], 16));
    }

    /** fc: 3 x 16 after global average pooling; class k reads colour map k. */
    static List<BlobProto> fc(Random rnd) {
        float[] w = new float[3 * 16];
        for (int k = 0; k < 3; k++) {
            for (int c = 0; c < 16; c++) {
                w[k * 16 + c] = c == k ? 4f : (float) (rnd.nextGaussian() * 0.02);
            }
        }
        return List.of(blob(w, 3, 16), blob(new float[3], 3));
    }

    /**
     * The caffemodel as Caffe's Net::ToProto writes one: every layer of the deploy net with its type, bottoms, tops
     * and parameters as the prototxt gives them, and the learned blobs of those that have some. The layer types and
     * bottoms let xportdnn tell a caffemodel with BatchNorm folded from one without (model.FoldingMismatch).
     */
    static NetParameter caffemodel(Map<String, List<BlobProto>> blobs) throws IOException {
        NetParameter.Builder deploy = NetParameter.newBuilder();
        TextFormat.merge(PROTOTXT, deploy);
        NetParameter.Builder model = NetParameter.newBuilder().setName(deploy.getName());
        for (LayerParameter layer : deploy.getLayerList()) {
            model.addLayer(layer.toBuilder().addAllBlobs(blobs.getOrDefault(layer.getName(), List.of())));
        }
        return model.build();
    }

    static BlobProto blob(float[] data, long... dims) {
        List<Float> values = new ArrayList<>(data.length);
        for (float v : data) {
            values.add(v);
        }
        return BlobProto.newBuilder().setShape(BlobShape.newBuilder().addAllDim(List.of(box(dims))))
                .addAllData(values).build();
    }

    static Long[] box(long[] dims) {
        Long[] out = new Long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return out;
    }

    static final String PROTOTXT = """
            name: "tinynet"
            layer {
              name: "data"
              type: "Input"
              top: "data"
              input_param { shape { dim: 10 dim: 3 dim: 32 dim: 32 } }
            }
            layer {
              name: "conv1"
              type: "Convolution"
              bottom: "data"
              top: "conv1"
              convolution_param { num_output: 8 kernel_size: 3 pad: 1 }
            }
            layer {
              name: "bn1"
              type: "BatchNorm"
              bottom: "conv1"
              top: "conv1"
              batch_norm_param { use_global_stats: true }
            }
            layer {
              name: "scale1"
              type: "Scale"
              bottom: "conv1"
              top: "conv1"
              scale_param { bias_term: true }
            }
            layer {
              name: "relu1"
              type: "ReLU"
              bottom: "conv1"
              top: "conv1"
            }
            layer {
              name: "pool1"
              type: "Pooling"
              bottom: "conv1"
              top: "pool1"
              pooling_param { pool: MAX kernel_size: 3 stride: 2 }
            }
            layer {
              name: "conv2"
              type: "Convolution"
              bottom: "pool1"
              top: "conv2"
              convolution_param { num_output: 16 kernel_size: 3 pad: 1 }
            }
            layer {
              name: "relu2"
              type: "ReLU"
              bottom: "conv2"
              top: "conv2"
            }
            layer {
              name: "pool2"
              type: "Pooling"
              bottom: "conv2"
              top: "pool2"
              pooling_param { pool: AVE global_pooling: true }
            }
            layer {
              name: "fc"
              type: "InnerProduct"
              bottom: "pool2"
              top: "fc"
              inner_product_param { num_output: 3 }
            }
            layer {
              name: "prob"
              type: "Softmax"
              bottom: "fc"
              top: "prob"
            }
            """;
}
