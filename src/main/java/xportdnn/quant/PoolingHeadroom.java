package xportdnn.quant;

import xportdnn.precision.AveragePooling;
import xportdnn.precision.DynamicFixed;

/**
 * How far above its calibration outputs a DynamicFixed average pooling's output format must reach. The device
 * writes the low bits of a pooled value beyond its container ({@link AveragePooling}): it wraps around instead of
 * saturating, so an image whose average exceeds the calibrated range gets a wrong sign, an error without bound,
 * while one more integer bit only halves the resolution. So the format must hold {@link #FACTOR} times the largest
 * calibration output within the container; it adds a bit where that largest output lies within a factor
 * {@value #FACTOR} of the format's limit (for maxima spread evenly over an octave, log2 1.5 = 58% of the time).
 *
 * <p>Why 1.5 (measured 2026-12-06 on calibration folds and on images no table reports): on ResNet-20's
 * one-class calibration set (256 airplanes) the 7,744 CIFAR-10 test images that neither calibrate nor are scored
 * exceed 1.0 / 1.25 / 1.5 times its pooled maximum in 4.93% / 0.57% / 0.01% of the images; split-half folds of
 * SqueezeNet's 64 calibration images (choose on 32, count on the other 32) in 3.09% / 0.40% / 0%, while the top-1
 * agreement of its pooled class scores is 95.3% (95.2% without a margin; a factor of 2, one bit always: 89.2%).
 * A bit costs about 6 dB of the pooled values' SQNR (ResNet-20's held-out images: 32.1 -> 27.3 dB); a wrap costs
 * the image. (tools/PooledOutputs.java and tools/pooling_headroom.py measure it.)
 * Every choice of an average pooling's format takes it from here: the export's ({@link DynamicFixedFormats}) and
 * fast finetune's.
 */
public final class PoolingHeadroom {

    /** The largest calibration output times this must fit the pooling's container. */
    public static final double FACTOR = 1.5;

    private PoolingHeadroom() {
    }

    /**
     * The threshold from which an average pooling's output format is taken ({@link DynamicFixed#largestFl} at
     * {@code bitwidth}): it holds {@code maxAbs}, the largest calibration output, in {@code bitwidth}-bit codes, and
     * {@link #FACTOR} times it in the device's container ({@link AveragePooling#container}; wider than the codes at
     * 6 bits, where the first condition decides).
     */
    public static double threshold(double maxAbs, int bitwidth) {
        return Math.max(maxAbs, Math.scalb(FACTOR * maxAbs, bitwidth - AveragePooling.container(bitwidth)));
    }

    /**
     * Whether the code {@code pooling} computes for a calibration window whose input codes sum to {@code sum} keeps
     * the headroom: {@link #FACTOR} times its true quotient fits the container. A pooling that keeps its input's
     * scale (Xilinx mode), whose format nothing chooses, only must not wrap.
     */
    public static boolean holds(AveragePooling pooling, long sum) {
        if (!pooling.rescales()) {
            return !pooling.wraps(sum);
        }
        return FACTOR * Math.abs(pooling.quotient(sum)) <= DynamicFixed.maxCode(pooling.container());
    }
}
