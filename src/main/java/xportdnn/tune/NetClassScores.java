package xportdnn.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.data.Batches;
import xportdnn.data.ImageSet;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.sim.FixedPointNet;

/**
 * The net's class scores on the calibration images as the device computes them, against the float net's: the
 * divergence of their softmax ({@link ClassScoreDivergence}), summed over the even- and over the odd-numbered
 * images. It keeps the preprocessed images and the float scores, so that scoring a candidate net costs one
 * simulator pass. Only for a net whose one output is class scores (N x C, or N x C x 1 x 1; a Softmax's
 * probabilities are taken back to log-probabilities, which the softmax maps to the same distribution).
 */
final class NetClassScores {

    private final String output;
    private final boolean probabilities;
    private final List<float[]> batches = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();
    private final List<double[]> floatScores = new ArrayList<>(); // per image
    private final Progress progress;

    private NetClassScores(String output, boolean probabilities, Progress progress) {
        this.output = output;
        this.probabilities = probabilities;
        this.progress = progress;
    }

    /** The float net's class scores on {@code images}, or null when the net's output is not class scores. */
    static NetClassScores of(FloatEngine floatEngine, List<ImageSet.Entry> images, Transformer transformer,
                             int batch, Progress progress) {
        Net net = floatEngine.net();
        List<String> outputs = net.outputBlobs();
        if (outputs.size() != 1) {
            return null;
        }
        String output = outputs.get(0);
        int[] shape = net.shape(output);
        for (int d = 2; d < shape.length; d++) {
            if (shape[d] != 1) {
                return null;
            }
        }
        Layer producer = null;
        for (Layer l : net.layers()) {
            if (l.tops().contains(output)) {
                producer = l;
            }
        }
        NetClassScores scores = new NetClassScores(output,
                producer != null && producer.layerType() == LayerType.SOFTMAX, progress);
        try (Progress.Step step = progress.start("class scores of the float net", images.size())) {
            Batches.run(images, transformer, batch, (data, n, first) -> {
                scores.batches.add(data);
                scores.sizes.add(n);
                scores.floatScores.addAll(scores.split(floatEngine.forward(data, n, null), n));
            }, step);
        }
        return scores;
    }

    /** KL(float || device) of the class scores of {@code candidate}, summed over the even and the odd images. */
    double[] divergence(Net candidate, String label) {
        FixedPointNet fixed = new FixedPointNet(candidate);
        double[] halves = new double[2];
        int image = 0;
        try (Progress.Step step = progress.start(label, floatScores.size())) {
            for (int b = 0; b < batches.size(); b++) {
                int n = sizes.get(b);
                for (double[] device : split(fixed.forward(batches.get(b), n, null), n)) {
                    halves[image % 2] += ClassScoreDivergence.of(floatScores.get(image), device);
                    image++;
                }
                step.accept(n);
            }
        }
        return halves;
    }

    /** The scores of each image of a batch's outputs (log-probabilities when the output is a Softmax's). */
    private List<double[]> split(Map<String, INDArray> outputs, int n) {
        float[] values = Tensors.floats(outputs.get(output));
        outputs.values().forEach(INDArray::close);
        int classes = values.length / n;
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] s = new double[classes];
            for (int c = 0; c < classes; c++) {
                double v = values[i * classes + c];
                s[c] = probabilities ? Math.log(Math.max(v, Double.MIN_NORMAL)) : v;
            }
            out.add(s);
        }
        return out;
    }
}
