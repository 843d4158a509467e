package xportdnn.pipeline;

import java.util.List;
import java.util.Locale;
import xportdnn.calib.BlobHistograms;
import xportdnn.data.Batches;
import xportdnn.engine.BlobCapture;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.BlobProtos;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.quant.BatchNormStatistics;

/**
 * Whether the calibration images reach the net on the scale it was trained on. A BatchNorm stores the mean and
 * variance of what it read in training, so the convolution before the first BatchNorm should output about that
 * root mean square on the calibration images too (within a factor of two or three for an unusual set). A factor of
 * {@link #FACTOR} or more is a preprocessing scale gone wrong: {@code --input_scale} (e.g. 0.017 for a net trained on
 * standardized pixels) forgotten or given where it does not belong, or {@code --raw_scale}. Read from the
 * calibration statistics of the convolution; a net whose BatchNorm is folded before calibration ({@code --fuse_bn},
 * fast finetune, {@code compare}) no longer has that convolution's output, so the layers up to it are kept from the
 * net before folding ({@link Prefix}) and run on the first {@link #FOLDED_IMAGES} calibration images. Nets without
 * a BatchNorm after a convolution are not checked.
 */
final class BatchNormScaleCheck {

    static final double FACTOR = 10;

    /** Calibration images the layers before a folded BatchNorm run on: a root mean square needs few. */
    static final int FOLDED_IMAGES = 32;

    /**
     * The layers of a net up to the convolution its first BatchNorm reads, as a net of their own, with that
     * BatchNorm: what the check of a net folded before calibration runs.
     *
     * @param net         the layers up to and with the convolution, with their weights
     * @param convolution the convolution (its output is the net's last layer's)
     * @param batchNorm   the first BatchNorm, with its training statistics
     */
    public record Prefix(Net net, Layer convolution, Layer batchNorm) {
    }

    private BatchNormScaleCheck() {
    }

    /** One warning when the first BatchNorm's input is {@link #FACTOR} or more off its training scale, else none. */
    static List<Notice> of(Net net, Calibration calibration) {
        Layer[] pair = firstPair(net);
        BlobHistograms statistics = pair == null || calibration == null ? null
                : calibration.statistics().get(pair[0].name());
        return statistics == null ? List.of() : compare(pair[0], pair[1], statistics.range().rms());
    }

    /** {@link #of(Net, Calibration)} of a folded net: the prefix run on the first calibration images. */
    static List<Notice> of(Prefix prefix, CalibrationInput input) {
        if (prefix == null || input == null || input.images().isEmpty()) {
            return List.of();
        }
        String output = prefix.convolution().tops().get(0);
        double[] sums = new double[2]; // sum of squares, values
        try (FloatEngine engine = new FloatEngine(prefix.net())) {
            Batches.run(input.images().subList(0, Math.min(FOLDED_IMAGES, input.images().size())),
                    input.transformer(), input.batch(), (batch, n, first) -> {
                        for (float v : Tensors.floats(BlobCapture.forward(engine, batch, n, output, null))) {
                            sums[0] += (double) v * v;
                            sums[1]++;
                        }
                    }, done -> {
                    });
        }
        return compare(prefix.convolution(), prefix.batchNorm(), Math.sqrt(sums[0] / sums[1]));
    }

    /** The layers of {@code net} up to the convolution its first BatchNorm reads, or null without one. */
    static Prefix prefix(Net net) {
        Layer[] pair = firstPair(net);
        if (pair == null) {
            return null;
        }
        NetParameter.Builder definition = net.definition().toBuilder().clearLayer();
        NetParameter.Builder weights = net.definition().toBuilder().clearLayer();
        for (Layer layer : net.layers()) {
            definition.addLayer(layer.param());
            LayerParameter.Builder stored = layer.param().toBuilder();
            layer.weights().forEach(b -> stored.addBlobs(BlobProtos.of(b)));
            weights.addLayer(stored);
            if (layer == pair[0]) {
                break;
            }
        }
        return new Prefix(NetLoader.build(definition.build(), weights.build()), pair[0], pair[1]);
    }

    /** The first BatchNorm that reads a convolution's output: {convolution, BatchNorm}, or null. */
    private static Layer[] firstPair(Net net) {
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer bn = layers.get(i);
            if (bn.layerType() != LayerType.BATCH_NORM) {
                continue;
            }
            Layer producer = producer(layers.subList(0, i), bn.bottoms().get(0));
            return producer == null || producer.layerType() != LayerType.CONVOLUTION ? null
                    : new Layer[] {producer, bn};
        }
        return null;
    }

    private static List<Notice> compare(Layer conv, Layer bn, double measured) {
        BatchNormStatistics trained = BatchNormStatistics.of(bn);
        double square = 0;
        for (int c = 0; c < trained.mean().length; c++) {
            square += trained.variance()[c] + (double) trained.mean()[c] * trained.mean()[c];
        }
        double expected = Math.sqrt(square / trained.mean().length);
        if (!(expected > 0) || !(measured > 0)) {
            return List.of();
        }
        double ratio = measured / expected;
        if (ratio < FACTOR && ratio > 1 / FACTOR) {
            return List.of();
        }
        return List.of(Notice.warning(String.format(Locale.ROOT, "layer '%s' outputs a root mean square of %.3g on the "
                + "calibration images, but its BatchNorm '%s' was trained on %.3g (%.3g times %s): the images are "
                + "probably not scaled as in training; check --input_scale (e.g. 0.017 for standardized pixels) and "
                + "--raw_scale", conv.name(), measured, bn.name(), expected, ratio >= 1 ? ratio : 1 / ratio,
                ratio >= 1 ? "more" : "less")));
    }

    /** The last of {@code before} that writes {@code blob}, or null. */
    private static Layer producer(List<Layer> before, String blob) {
        for (int i = before.size() - 1; i >= 0; i--) {
            if (before.get(i).tops().contains(blob)) {
                return before.get(i);
            }
        }
        return null;
    }
}
