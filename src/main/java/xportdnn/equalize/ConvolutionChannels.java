package xportdnn.equalize;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import xportdnn.model.Blob;
import xportdnn.model.Layer;

/**
 * A copy of one convolution's weights ({@code O x I/group x kh x kw}) and bias, seen by output channel and by input
 * channel: the largest magnitude of each and a per-channel scale. Input channel c belongs to group
 * {@code c / (I/group)}, so it meets only that group's output channels (depthwise: output channel c alone).
 */
final class ConvolutionChannels {

    private final Layer layer;
    private final float[] weights;
    private final float[] bias;
    private final int outputs;
    private final int inputsPerGroup;
    private final int outputsPerGroup;
    private final int kernel;

    ConvolutionChannels(Layer layer) {
        this.layer = layer;
        Blob w = layer.weights().get(0);
        this.weights = w.data().clone();
        this.bias = layer.weights().size() > 1 ? layer.weights().get(1).data().clone() : null;
        this.outputs = w.shape()[0];
        this.inputsPerGroup = w.shape()[1];
        this.outputsPerGroup = outputs / layer.param().getConvolutionParam().getGroup();
        this.kernel = w.count() / (outputs * inputsPerGroup);
    }

    int outputs() {
        return outputs;
    }

    /** The channels of the blob it reads. */
    int inputs() {
        return inputsPerGroup * layer.param().getConvolutionParam().getGroup();
    }

    /** max |w| over output channel {@code o}'s weights. */
    double outputRange(int o) {
        double[] max = {0};
        ofOutput(o, k -> max[0] = Math.max(max[0], Math.abs(weights[k])));
        return max[0];
    }

    /** max |w| over the weights that read input channel {@code c}. */
    double inputRange(int c) {
        double[] max = {0};
        readingInput(c, k -> max[0] = Math.max(max[0], Math.abs(weights[k])));
        return max[0];
    }

    /** Output channel {@code o}'s weights and bias times {@code factor}. */
    void scaleOutput(int o, double factor) {
        ofOutput(o, k -> weights[k] = (float) (weights[k] * factor));
        if (bias != null) {
            bias[o] = (float) (bias[o] * factor);
        }
    }

    /** The weights that read input channel {@code c} times {@code factor}. */
    void scaleInput(int c, double factor) {
        readingInput(c, k -> weights[k] = (float) (weights[k] * factor));
    }

    boolean hasBias() {
        return bias != null;
    }

    /** Output channel {@code o}'s bias minus {@code amount}. */
    void lowerBias(int o, double amount) {
        bias[o] = (float) (bias[o] - amount);
    }

    /**
     * Adds to each output's bias what a constant {@code shift[c]} on every input channel c adds to it where no
     * padding is read: the shift times the sum of the weights that read the channel.
     */
    void absorbInputShift(double[] shift) {
        double[] added = new double[outputs];
        for (int c = 0; c < shift.length; c++) {
            double shiftC = shift[c];
            readingInput(c, k -> added[k / (inputsPerGroup * kernel)] += weights[k] * shiftC);
        }
        for (int o = 0; o < outputs; o++) {
            bias[o] = (float) (bias[o] + added[o]);
        }
    }

    /** Each index into {@code weights} of output channel {@code o}'s weights. */
    private void ofOutput(int o, IntConsumer weight) {
        int size = inputsPerGroup * kernel;
        for (int k = o * size; k < (o + 1) * size; k++) {
            weight.accept(k);
        }
    }

    /** Each index into {@code weights} of the weights that read input channel {@code c} (its group's outputs). */
    private void readingInput(int c, IntConsumer weight) {
        for (int o = firstOutputOf(c); o < firstOutputOf(c) + outputsPerGroup; o++) {
            int start = (o * inputsPerGroup + c % inputsPerGroup) * kernel;
            for (int k = start; k < start + kernel; k++) {
                weight.accept(k);
            }
        }
    }

    /** The layer's learned blobs with the scaled values, in Caffe's order. */
    List<Blob> blobs() {
        List<Blob> blobs = new ArrayList<>(layer.weights());
        blobs.set(0, new Blob(layer.weights().get(0).shape(), weights));
        if (bias != null) {
            blobs.set(1, new Blob(layer.weights().get(1).shape(), bias));
        }
        return blobs;
    }

    private int firstOutputOf(int c) {
        return c / inputsPerGroup * outputsPerGroup;
    }
}
