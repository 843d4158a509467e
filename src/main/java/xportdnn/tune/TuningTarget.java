package xportdnn.tune;

/** What each convolution's tuned weights and bias are fitted to, on the calibration images. */
public enum TuningTarget {

    /**
     * The float net's output of the layer: the fit also makes up for the error the quantized layers before it left
     * in its input, as that error is on average over the sampled positions (on a detector's images, mostly
     * background).
     */
    FLOAT_OUTPUT,

    /**
     * The layer's float weights and bias applied to the input the device gives it: the rounding and the bias make
     * up only for the layer's own weights' error, so no correction learnt on the typical positions is applied to
     * the rare ones an SSD detector's boxes come from.
     */
    DEVICE_INPUT
}
