package xportdnn.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.InParamsOut;
import xportdnn.quant.ThresholdMethod;
import xportdnn.validate.Validation;

/**
 * Small nets unlike the shipped ones, built in code with seeded random weights and "trained" BatchNorm statistics
 * (each BatchNorm's mean and variance are those of its input on the example images, as training leaves them), written
 * to files, exported and validated on the shipped example's images.
 */
public final class UnseenNets {

    public static final String LIST = "examples/tinynet/val.txt";
    /** Pixels in [0, 1], no mean subtracted: every convolution's output carries an offset BatchNorm removes. */
    public static final PreprocessingFlags FLAGS = new PreprocessingFlags(null, null, null, 1f, new float[] {0, 0, 0}, null,
            1f);
    public static final CalibrationSettings CALIBRATION = new CalibrationSettings(LIST, 10, 3L, null, 8, FLAGS);
    static final InParamsOut EIGHT = new InParamsOut(8, 8, 8);

    /** Global average pooling of the blob named by the format argument, then 3 class scores. */
    public static final String CLASSIFIER_HEAD = """
            layer { name: "pool" type: "Pooling" bottom: "%s" top: "pool" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 3 } }
            """;

    /**
     * Added to every weight of a convolution without bias: filters with a DC response (smoothing, colour), whose
     * outputs carry an offset that the BatchNorm after them removes, so a large fused bias.
     */
    static final float DC = 0.5f;

    private UnseenNets() {
    }

    /** A written float net: its prototxt and caffemodel. */
    public record NetFiles(Path deploy, Path weights) {
    }

    /** What an export and its validation gave, and the quantized prototxt it wrote. */
    record Run(ExportPipeline.Outcome export, Map<String, Double> sqnrDb, Path quantized) {

        double min() {
            return sqnrDb.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }
    }

    /**
     * Writes {@code prototxt} with random weights (seeded, uniform in -1..1; {@link #DC} more for a convolution
     * without bias) whose BatchNorm layers hold the statistics of their inputs and whose Scale layers a gamma of
     * magnitude 0.5..1.5 and a beta in -1..0.5.
     */
    public static NetFiles write(Path dir, String name, String prototxt, long seed) {
        return write(dir, name, prototxt, seed, DC, 0);
    }

    /**
     * As {@link #write(Path, String, String, long)} with {@code dc} added to the weights of a convolution without
     * bias, and Scale betas shifted by {@code betaShift}; PReLU slopes are 0.1..0.3.
     */
    public static NetFiles write(Path dir, String name, String prototxt, long seed, float dc, float betaShift) {
        NetParameter definition = TestWeights.definition(prototxt);
        NetParameter weights = TestWeights.random(definition, seed);
        Random r = new Random(seed + 1);
        Net net = NetLoader.build(definition, weights);
        for (Layer l : net.layers()) {
            if (l.layerType() == LayerType.CONVOLUTION && !l.param().getConvolutionParam().getBiasTerm()) {
                LayerParameter.Builder stored = stored(weights, l.name()).toBuilder();
                BlobProto.Builder w = stored.getBlobs(0).toBuilder();
                for (int i = 0; i < w.getDataCount(); i++) {
                    w.setData(i, w.getData(i) + dc);
                }
                weights = put(weights, stored.setBlobs(0, w).build());
            }
            if (l.layerType() == LayerType.PRELU) {
                LayerParameter.Builder stored = stored(weights, l.name()).toBuilder();
                BlobProto.Builder slopes = stored.getBlobs(0).toBuilder();
                for (int i = 0; i < slopes.getDataCount(); i++) {
                    slopes.setData(i, 0.1f + 0.2f * r.nextFloat());
                }
                weights = put(weights, stored.setBlobs(0, slopes).build());
            }
            if (l.layerType() == LayerType.SCALE) {
                LayerParameter.Builder stored = stored(weights, l.name()).toBuilder();
                int n = stored.getBlobs(0).getDataCount();
                float[] gamma = new float[n];
                float[] beta = new float[n];
                for (int c = 0; c < n; c++) {
                    gamma[c] = (r.nextBoolean() ? 1 : -1) * (0.5f + r.nextFloat());
                    beta[c] = r.nextFloat() * 1.5f - 1 + betaShift;
                }
                stored.setBlobs(0, TestWeights.blob(new int[] {n}, gamma));
                if (stored.getBlobsCount() > 1) {
                    stored.setBlobs(1, TestWeights.blob(new int[] {n}, beta));
                }
                weights = put(weights, stored.build());
            }
        }
        for (Layer l : NetLoader.build(definition, weights).layers()) {
            if (l.layerType() == LayerType.BATCH_NORM) {
                weights = put(weights, batchNormOfItsInput(definition, weights, l.name()));
            }
        }
        Path deploy = dir.resolve(name + ".prototxt");
        Path caffemodel = dir.resolve(name + ".caffemodel");
        try {
            Files.writeString(deploy, prototxt);
            Files.write(caffemodel, weights.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new NetFiles(deploy, caffemodel);
    }

    private static LayerParameter stored(NetParameter weights, String layer) {
        return weights.getLayerList().stream().filter(l -> l.getName().equals(layer)).findFirst().orElseThrow();
    }

    private static NetParameter put(NetParameter weights, LayerParameter layer) {
        NetParameter.Builder b = weights.toBuilder();
        for (int i = 0; i < b.getLayerCount(); i++) {
            if (b.getLayer(i).getName().equals(layer.getName())) {
                b.setLayer(i, layer);
            }
        }
        return b.build();
    }

    /** The BatchNorm's blobs holding the per-channel mean and variance of its input over the example images. */
    private static LayerParameter batchNormOfItsInput(NetParameter definition, NetParameter weights, String bn) {
        Net net = NetLoader.build(definition, weights);
        Layer layer = net.layer(bn);
        String blob = layer.bottoms().get(0);
        int before = net.layers().indexOf(layer) - 1;
        Layer producer = net.layers().get(before); // the layer whose output the BatchNorm reads (in place)
        int channels = net.shape(blob)[1];
        double[] sum = new double[channels];
        double[] squares = new double[channels];
        long[] count = new long[1];
        FloatEngine engine = new FloatEngine(net);
        Transformer transformer = new Transformer(FLAGS.resolve(net));
        for (ImageSet.Entry e : Calibration.images(new CalibrationSettings(LIST, 60, 1L, null, 8, FLAGS), ImageStore.LOCAL)) {
            float[] input = new float[transformer.size()];
            transformer.preprocess(e, input, 0);
            engine.forward(input, 1, (l, tops) -> {
                if (l == producer) {
                    float[] v = Tensors.floats(tops.get(l.tops().indexOf(blob)));
                    int plane = v.length / channels;
                    for (int i = 0; i < v.length; i++) {
                        sum[i / plane] += v[i];
                        squares[i / plane] += (double) v[i] * v[i];
                    }
                    count[0] += plane;
                }
            });
        }
        float[] mean = new float[channels];
        float[] variance = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (float) (sum[c] / count[0]);
            variance[c] = (float) Math.max(1e-4, squares[c] / count[0] - (double) mean[c] * mean[c]);
        }
        return TestWeights.layer(bn, TestWeights.blob(new int[] {channels}, mean),
                TestWeights.blob(new int[] {channels}, variance), TestWeights.blob(new int[] {1}, 1f));
    }

    /** Exports {@code net} and validates it on the images the calibration left out, against the float net. */
    static Run run(NetFiles net, Path dir, QuantType type, boolean fuseBn, boolean tune) {
        return run(net, dir, type, EIGHT, null, fuseBn, tune);
    }

    /**
     * As {@link #run(NetFiles, Path, QuantType, boolean, boolean)} with {@code bitwidths} and, in Xilinx mode, the
     * threshold {@code method} (null: the default); DynamicFixed formats are chosen per layer (auto).
     */
    static Run run(NetFiles net, Path dir, QuantType type, InParamsOut bitwidths, ThresholdMethod method,
            boolean fuseBn, boolean tune) {
        String name = type + "-" + bitwidths.out() + (fuseBn ? "-folded" : "") + (tune ? "-tuned" : "");
        Path quantized = dir.resolve(name + ".prototxt");
        Path quantizedWeights = fuseBn || tune ? dir.resolve(name + ".caffemodel") : null;
        ExportPipeline.Outcome outcome = ExportPipeline.run(new ExportSettings(type, net.deploy(), net.weights(),
                quantized, bitwidths, false, null, method, CALIBRATION, null, fuseBn, tune, quantizedWeights),
                Progress.NONE);
        Validation v = ValidationPipeline.run(new ValidationSettings(quantized,
                quantizedWeights == null ? net.weights() : quantizedWeights, LIST, null, null, 1L,
                new ValidationSettings.Draw(10, 3L), 8, FLAGS, null, false,
                quantizedWeights == null ? null : net.deploy(), quantizedWeights == null ? null : net.weights(), null),
                Progress.NONE).validation();
        Map<String, Double> sqnr = new LinkedHashMap<>();
        for (Validation.LayerError e : v.layers()) {
            sqnr.put(e.name(), e.sqnrDb());
        }
        return new Run(outcome, sqnr, quantized);
    }
}
