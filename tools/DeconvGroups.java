// The float engine's Deconvolution of C groups of one input and one output channel with the same kernel (an FCN's
// bilinear upsampling, one group per class) as one deconv2d call with each channel an image of its own, against the
// call per group it made before (each group's channel copied out, its call, the parts concatenated), in one
// process: both on the same seeded random input, rounds alternating them, each round's median pass. Prints the
// largest difference between their outputs, per round both medians (ms per pass) and the process CPU time per pass,
// then the median of the rounds' before / after ratios.
//
// Run from the repository root after a build, e.g. FCN-8s's upscore8 (21 classes, kernel 16, stride 8, 70 x 70 in)
// on 2 threads:
//   OMP_WAIT_POLICY=PASSIVE java -Xmx4g -cp "target/classes:$(cat target/classpath.txt)" \
//       tools/DeconvGroups.java 21 70 16 8 1 5 10 2
// Arguments: channels, input height = width, kernel, stride, batch, rounds, passes per path and round, threads.
import com.google.protobuf.TextFormat;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.engine.EngineThreads;
import xportdnn.engine.NativeBuild;
import xportdnn.engine.layers.LayerOp;
import xportdnn.engine.layers.Layers;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

public class DeconvGroups {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] a) throws Exception {
        NativeBuild.apply();
        int c = Integer.parseInt(a[0]);
        int hw = Integer.parseInt(a[1]);
        int k = Integer.parseInt(a[2]);
        int stride = Integer.parseInt(a[3]);
        int batch = Integer.parseInt(a[4]);
        int rounds = Integer.parseInt(a[5]);
        int passes = Integer.parseInt(a[6]);
        EngineThreads.set(Integer.parseInt(a[7]));

        // Caffe's bilinear filler, the same kernel in every group
        float[] kernel = new float[k * k];
        int f = (k + 1) / 2;
        double centre = (2 * f - 1 - f % 2) / (2.0 * f);
        for (int i = 0; i < k * k; i++) {
            kernel[i] = (float) ((1 - Math.abs(i / k / (double) f - centre))
                    * (1 - Math.abs(i % k / (double) f - centre)));
        }
        float[] weights = new float[c * k * k];
        for (int g = 0; g < c; g++) {
            System.arraycopy(kernel, 0, weights, g * k * k, k * k);
        }
        int pad = (k - stride) / 2;
        NetParameter.Builder definition = NetParameter.newBuilder();
        TextFormat.merge("name: 'up' layer { name: 'data' type: 'Input' top: 'data' input_param { shape { dim: " + batch
                + " dim: " + c + " dim: " + hw + " dim: " + hw + " } } } layer { name: 'up' type: 'Deconvolution' "
                + "bottom: 'data' top: 'up' convolution_param { num_output: " + c + " group: " + c
                + " kernel_size: " + k + " stride: " + stride + " pad: " + pad + " bias_term: false } }", definition);
        BlobShape.Builder shape = BlobShape.newBuilder().addDim(c).addDim(1).addDim(k).addDim(k);
        BlobProto.Builder blob = BlobProto.newBuilder().setShape(shape);
        for (float w : weights) {
            blob.addData(w);
        }
        NetParameter caffemodel = NetParameter.newBuilder()
                .addLayer(LayerParameter.newBuilder().setName("up").addBlobs(blob)).build();
        Net net = NetLoader.build(definition.build(), caffemodel);
        LayerOp after = Layers.create(net.layer("up"), List.of(new int[] {batch, c, hw, hw}));

        // before: a call per group, as Deconvolution.forward made them
        INDArray all = Nd4j.create(weights, new long[] {c, 1, k, k}, 'c');
        List<INDArray> groupWeights = new ArrayList<>();
        for (int g = 0; g < c; g++) {
            groupWeights.add(all.get(NDArrayIndex.interval(g, g + 1)).dup('c'));
        }
        int[] intArgs = {k, k, stride, stride, pad, pad, 1, 1, 0, 0, 1};
        LayerOp before = bottoms -> {
            INDArray x = bottoms.get(0);
            INDArray[] parts = new INDArray[c];
            for (int g = 0; g < c; g++) {
                INDArray slice = x.get(NDArrayIndex.all(), NDArrayIndex.interval(g, g + 1)).dup('c');
                parts[g] = Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(slice, groupWeights.get(g))
                        .addIntegerArguments(intArgs).build())[0];
            }
            return List.of(Nd4j.concat(1, parts));
        };

        Random random = new Random(1);
        float[] values = new float[batch * c * hw * hw];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        INDArray x = Nd4j.create(values, new long[] {batch, c, hw, hw}, 'c');
        float[] yb = before.forward(List.of(x)).get(0).dup('c').data().asFloat();
        float[] ya = after.forward(List.of(x)).get(0).dup('c').data().asFloat();
        double diff = 0;
        for (int i = 0; i < ya.length; i++) {
            diff = Math.max(diff, Math.abs(ya[i] - yb[i]));
        }
        System.out.printf(Locale.ROOT, "%d channels %dx%d, kernel %d stride %d pad %d, batch %d -> %s; max |after - "
                + "before| %.3g (%s)%n", c, hw, hw, k, stride, pad, batch, Arrays.toString(after.forward(List.of(x))
                .get(0).shape()), diff, Arrays.equals(ya, yb) ? "bit-identical" : "differs");

        time(before, x, passes); // warm-up
        time(after, x, passes);
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] b = time(before, x, passes);
            double[] n = time(after, x, passes);
            ratios[r] = b[0] / n[0];
            System.out.printf(Locale.ROOT, "round %d: before %.2f ms (cpu %.2f), after %.2f ms (cpu %.2f), "
                    + "ratio %.2f%n", r, b[0], b[1], n[0], n[1], ratios[r]);
        }
        Arrays.sort(ratios);
        System.out.printf(Locale.ROOT, "median before / after: %.2f%n", ratios[rounds / 2]);
    }

    /** The median wall time of {@code passes} passes (ms) and the process CPU time per pass (ms). */
    private static double[] time(LayerOp op, INDArray x, int passes) {
        double[] ms = new double[passes];
        long cpu = OS.getProcessCpuTime();
        for (int p = 0; p < passes; p++) {
            long t = System.nanoTime();
            INDArray y = op.forward(List.of(x)).get(0);
            y.getFloat(0); // the result is there
            ms[p] = (System.nanoTime() - t) / 1e6;
        }
        double cpuMs = (OS.getProcessCpuTime() - cpu) / 1e6 / passes;
        Arrays.sort(ms);
        return new double[] {ms[passes / 2], cpuMs};
    }
}
