/**
 * The on-host simulator of CHaiDNN's integer arithmetic: {@link xportdnn.sim.FixedPointNet} runs a quantized
 * prototxt (Xilinx or DynamicFixed) with its caffemodel as the device would, layer outputs dequantized for
 * comparison with the float engine.
 *
 * <p>Our reading of spec/chaidnn-precision.md and of the runtime's sources (Xilinx/CHaiDNN, software/init and
 * design/conv), where the spec leaves a choice:
 * <ul>
 * <li><b>Rounding</b> is C's {@code round}, half away from zero, everywhere: quantizing values (the runtime's
 * Trim2FixedPoint and Trim2FixedPoint_Offline), and every right shift of an accumulator (the device's output stage
 * adds {@code 2^(shift-1)} to the magnitude, shifts and restores the sign).</li>
 * <li><b>Xilinx</b> ({@link xportdnn.precision.ThresholdFormat}): scales in float32 as the runtime computes them; the
 * per-channel multiplier {@code M = round(sf_w * sf_in / sf_out * 2^22)}; the bias clipped to +-th_out, rounded to
 * output codes, kept in 8.8 and widened by 14 bits, i.e. added as {@code code << 22}; the output
 * {@code round((acc * M + bias) / 2^22)} saturated to bw_layer_out bits, then a fused ReLU. The device holds M
 * in 24 and the bias in 16 bits; the simulator keeps both exact (this only matters above 8 bits). At high
 * bitwidths the fixed 22-bit multiplier, not the codes, limits precision.</li>
 * <li><b>DynamicFixed</b> ({@link xportdnn.precision.FixedPointFormat}): the bias is trimmed to the output format
 * (bw_layer_out, fl_layer_out, saturating) and added in the accumulator's fl_in + fl_params fractional bits; the
 * sum is shifted right by fl_in + fl_params - fl_out with rounding and saturated. A negative shift scales up
 * exactly. A convolution fused with BatchNorm/Scale gets the weight fl the runtime recomputes from its fused
 * weights (algorithms.md section C), not fl_params.</li>
 * <li><b>BatchNorm/Scale</b> following a convolution are fused into it (spec section 4,
 * {@link xportdnn.quant.BatchNormFusion}), as is an in-place ReLU after the chain; the chain's output format is
 * that of its last layer carrying a block. A BatchNorm or Scale on its own is computed in float and listed.</li>
 * <li><b>Accumulation</b> is exact ({@link xportdnn.sim.IntConvolution}): the device stages partial sums in
 * narrower words, which is not modelled.</li>
 * <li><b>Pooling</b>: MAX on codes; AVE sums codes and multiplies by the runtime's Q16 reciprocal
 * {@code floor(2^16 / n)} with n Caffe's (clipped) window size, rounding the shift by 16 half away. The runtime
 * sets no DynamicFixed reciprocal of its own that we could read, so DynamicFixed uses the same.</li>
 * <li><b>Eltwise SUM/MAX and Concat</b> move every input into the output format (an identity when, as the
 * quantizers make them, all share it), then add with saturation, compare, or stack.</li>
 * <li><b>Formats between layers</b>: a layer reads codes in its declared input format; a blob written in another
 * format is converted by value (the device would misread its codes) and the place is listed in
 * {@link xportdnn.sim.FixedPointNet#notes()}.</li>
 * <li><b>Software layers</b> (and device layers not modelled in integers, and layers CHaiDNN lacks) run in float
 * on dequantized values through the float engine's ops; a float value is quantized with the input format of the
 * integer layer that reads it, so the image is quantized with the first hardware layer's th_layer_in/fl_layer_in.
 * The Input layer's own block is not read.</li>
 * </ul>
 */
package xportdnn.sim;
