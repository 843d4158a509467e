/**
 * CHaiDNN's number formats and its two {@code quant_type} schemes, the one place the rest of the tool (quant,
 * export, sim, validate, cli, tools) takes them from.
 *
 * <p>What it owns:
 * <ul>
 * <li><b>Codes</b> ({@link xportdnn.precision.DynamicFixed}): the range of a {@code bw}-bit code,
 * [-2^(bw-1), 2^(bw-1)-1], saturation to it, and rounding, which is C's {@code round} (half away from zero)
 * everywhere: quantizing values (the runtime's Trim2FixedPoint and Trim2FixedPoint_Offline), and every right
 * shift of an accumulator (the device's output stage adds {@code 2^(shift-1)} to the magnitude, shifts and
 * restores the sign, {@link xportdnn.precision.Requantizer}).</li>
 * <li><b>Formats</b> ({@link xportdnn.precision.NumberFormat}): how values become codes and how the device moves
 * an accumulator or other codes into a format. Xilinx ({@link xportdnn.precision.ThresholdFormat}): scales in
 * float32 as the runtime computes them, {@code th / (2^(bw-1) - 1)}; the per-channel multiplier
 * {@code M = round(sf_w * sf_in / sf_out * 2^22)}; the bias clipped to +-th_out, rounded to output codes, kept in
 * 8.8 and widened by 14 bits, i.e. added as {@code code << 22}; the output {@code round((acc * M + bias) / 2^22)}
 * saturated to bw_layer_out bits. The device holds M in 24 and the bias in 16 bits; the formats keep both exact
 * (this only matters above 8 bits), and at high bitwidths the fixed 22-bit multiplier, not the codes, limits
 * precision. DynamicFixed ({@link xportdnn.precision.FixedPointFormat}): the bias is trimmed to the output format
 * (saturating) and added in the accumulator's fl_in + fl_params fractional bits; the sum is shifted right by
 * fl_in + fl_params - fl_out with rounding and saturated; a negative shift scales up exactly. F8Net
 * ({@link xportdnn.precision.F8NetFormat}, a scheme of {@code compare} that CHaiDNN does not run) is the one
 * exception to C's rounding: its codes and shifts round half to even, and its weights may have an fl per output
 * channel ({@link xportdnn.precision.F8NetWeights}), each channel then shifting by its own amount.</li>
 * <li><b>Average pooling</b> ({@link xportdnn.precision.AveragePooling}): the device's multiplier, scale and
 * flooring shift in either mode, wrapping instead of saturating.</li>
 * <li><b>Schemes</b> ({@link xportdnn.precision.PrecisionScheme}, {@link xportdnn.precision.XilinxScheme},
 * {@link xportdnn.precision.DynamicFixedScheme}, {@link xportdnn.precision.F8NetScheme}): the {@code precision_param}
 * block of each quant_type, both ways: which fields a layer type's block holds as the exporters write it, and the
 * formats a block gives a layer's input, output and weights as the simulator reads it, including the fractional
 * length the runtime itself gives BatchNorm-fused weights. {@code compare}'s schemes the device does not run read
 * Xilinx blocks differently: {@link xportdnn.precision.AciqScheme} (per-channel weight widths) and
 * {@link xportdnn.precision.BlockFloatScheme} (an average pooling writes its own exponent).</li>
 * <li><b>Bitwidths</b> ({@link xportdnn.precision.ChaiDnnBitwidths}, {@link xportdnn.precision.InParamsOut}): what
 * the hardware runs, and the (input, params, output) triples of the command line.</li>
 * </ul>
 * Which numbers go in a block (thresholds, fractional lengths) is decided elsewhere: by quant from calibration, or
 * by the user.
 */
package xportdnn.precision;
