// How much top-1 a CHaiDNN classifier head alone loses: the float net, except that one layer's output (the input
// of a global average pooling that ends the net, e.g. SqueezeNet's relu_conv_final) is rounded to 8-bit codes and
// pooled as the device pools (xportdnn.precision.AveragePooling). Xilinx mode: codes of threshold th, pooled in their
// own scale th/127; every threshold of a grid is tried on the scored images themselves, so the best row is an
// optimistic bound on what any 8-bit threshold for that layer can achieve -- every other layer is still float.
// DynamicFixed mode: codes of fl_in, pooled into fl_out, for a few pairs around the ones xportdnn chooses.
//
// Run from the repository root after a build (SqueezeNet v1.0's preprocessing, as in the README):
//   java -Xmx8g -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/LastStageBound.java \
//       ../shared/models/squeezenet_v1.0/SqueezeNet_deploy.prototxt \
//       ../shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel \
//       ../shared/data/imagenet-val-500/val.txt relu_conv_final
// It scores the images not drawn for calibration (32, default seed), like validate --exclude_calibration.
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.precision.AveragePooling;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.ThresholdFormat;
import xportdnn.pipeline.LoadedNet;
import xportdnn.pipeline.ValidationPipeline;
import xportdnn.pipeline.ValidationSettings;

public class LastStageBound {
    static final int CALIBRATION_IMAGES = 32;
    static final int BATCH = 8;

    public static void main(String[] args) throws Exception {
        PreprocessingFlags squeezeNet = new PreprocessingFlags(new int[] {3, 227, 227}, new int[] {2, 0, 1},
                new int[] {2, 1, 0}, 255f, new float[] {104, 117, 123}, null, 1f);
        ValidationSettings settings = new ValidationSettings(Path.of(args[0]), Path.of(args[1]), args[2],
                null, null, 1L, new ValidationSettings.Draw(CALIBRATION_IMAGES, CalibrationSample.DEFAULT_SEED), BATCH,
                squeezeNet, null, false, null, null, Set.of());
        Net net = LoadedNet.load(settings.deployModel(), settings.weights(), false).net();
        String layer = args[3];
        List<ImageSet.Entry> scored = ValidationPipeline.images(settings, ImageStore.LOCAL);
        Transformer transformer = new Transformer(squeezeNet.resolve(net));
        float[][] head = headInputs(net, layer, scored, transformer);
        int n = scored.size();
        int classes = net.shape(net.layer(layer).tops().get(0))[1];
        int pixels = head[0].length / classes;
        int[] labels = scored.stream().mapToInt(e -> e.label().getAsInt()).toArray();
        int[] floatTop = new int[n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            floatTop[i] = argmax(pool(head[i], classes, pixels));
            for (float x : head[i]) {
                max = Math.max(max, x);
            }
        }
        int floatRight = count(floatTop, labels);
        System.out.printf(Locale.ROOT, "%d images, float top-1 %.2f%%, %s: %d classes x %d pixels, max %.1f%n", n,
                100.0 * floatRight / n, layer, classes, pixels, max);
        System.out.println("format                   agreement  top-1 drop  tied top-1");
        int side = (int) Math.round(Math.sqrt(pixels));
        for (double th = 60; th <= max * 1.08; th *= 1.08) {
            System.out.printf(Locale.ROOT, "Xilinx th %6.1f      ", th);
            ThresholdFormat codes = new ThresholdFormat(8, (float) th);
            row(codes, AveragePooling.xilinx(side, 8), codes, head, classes, pixels, floatTop, labels, floatRight);
        }
        for (int flIn = 0; flIn >= -2; flIn--) {
            for (int flOut = flIn; flOut <= flIn + 3; flOut++) {
                System.out.printf(Locale.ROOT, "DynamicFixed fl %2d -> %2d ", flIn, flOut);
                row(new FixedPointFormat(8, flIn), AveragePooling.dynamicFixed(side, side, flIn, flOut, 8),
                        new FixedPointFormat(8, flOut), head, classes, pixels, floatTop, labels, floatRight);
            }
        }
    }

    /** One row: the head's input in {@code input}, pooled by {@code device}, its codes read in {@code output}. */
    static void row(NumberFormat input, AveragePooling device, NumberFormat output, float[][] head, int classes,
            int pixels, int[] floatTop, int[] labels, int floatRight) {
        int n = head.length;
        int[] top = new int[n];
        int ties = 0;
        int agree = 0;
        for (int i = 0; i < n; i++) {
            float[] scores = pool(head[i], classes, pixels, input, device, output);
            top[i] = argmax(scores);
            ties += tied(scores, top[i]) ? 1 : 0;
            agree += top[i] == floatTop[i] ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "%8.2f%%  %10.2f  %10d%n", 100.0 * agree / n,
                100.0 * (floatRight - count(top, labels)) / n, ties);
    }

    /** The float output of one layer for every image (only that output is kept). */
    static float[][] headInputs(Net net, String layer, List<ImageSet.Entry> images, Transformer transformer) {
        float[][] out = new float[images.size()][];
        FloatEngine engine = new FloatEngine(net);
        for (int start = 0; start < images.size(); start += BATCH) {
            int m = Math.min(BATCH, images.size() - start);
            float[] batch = new float[m * transformer.size()];
            for (int i = 0; i < m; i++) {
                transformer.preprocess(images.get(start + i), batch, i * transformer.size());
            }
            int first = start;
            engine.forward(batch, m, (l, tops) -> {
                if (l.name().equals(layer)) {
                    float[] v = Tensors.floats(tops.get(0));
                    int k = v.length / m;
                    for (int i = 0; i < m; i++) {
                        out[first + i] = java.util.Arrays.copyOfRange(v, i * k, i * k + k);
                    }
                }
            });
        }
        return out;
    }

    /** Global average of each class plane, exact. */
    static float[] pool(float[] plane, int classes, int pixels) {
        float[] out = new float[classes];
        for (int c = 0; c < classes; c++) {
            double sum = 0;
            for (int p = 0; p < pixels; p++) {
                sum += plane[c * pixels + p];
            }
            out[c] = (float) (sum / pixels);
        }
        return out;
    }

    /** The same on the device: the values' codes, pooled by the device's arithmetic. */
    static float[] pool(float[] plane, int classes, int pixels, NumberFormat input, AveragePooling device,
            NumberFormat output) {
        float[] out = new float[classes];
        for (int c = 0; c < classes; c++) {
            long codes = 0;
            for (int p = 0; p < pixels; p++) {
                codes += input.quantize(plane[c * pixels + p], 0);
            }
            out[c] = output.dequantize(device.apply(codes), 0);
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }

    static boolean tied(float[] v, int top) {
        for (int c = 0; c < v.length; c++) {
            if (c != top && v[c] == v[top]) {
                return true;
            }
        }
        return false;
    }

    static int count(int[] top, int[] labels) {
        int right = 0;
        for (int i = 0; i < top.length; i++) {
            right += top[i] == labels[i] ? 1 : 0;
        }
        return right;
    }
}
