/**
 * The on-host simulator of CHaiDNN's integer arithmetic: {@link xportdnn.sim.FixedPointNet} runs a quantized
 * prototxt (Xilinx or DynamicFixed, or the F8Net blocks {@code compare} writes) with its caffemodel as the device
 * would, layer outputs dequantized for comparison with the float engine.
 *
 * <p>Our reading of spec/chaidnn-precision.md and of the runtime's sources (Xilinx/CHaiDNN, software/init and
 * design/conv), where the spec leaves a choice:
 * <ul>
 * <li><b>Formats and rounding</b> are {@link xportdnn.precision}'s: a layer's formats come from its block through
 * the net's {@link xportdnn.precision.PrecisionScheme}, its integer arithmetic from those formats. A convolution
 * fused with BatchNorm/Scale gets, in DynamicFixed, the weight fl the runtime recomputes from its fused weights
 * ({@link xportdnn.precision.DynamicFixedScheme#fusedWeightsFl}), not fl_params.</li>
 * <li><b>BatchNorm/Scale</b> following a convolution are fused into it (spec section 4,
 * {@link xportdnn.quant.BatchNormFusion}), as is an in-place ReLU after the chain; the chain's output format is
 * that of its last layer carrying a block. A BatchNorm/Scale pair the runtime runs as an op of its own (after an
 * Eltwise or a Concat, as in pre-activation ResNets and DenseNets) is computed in DynamicFixed mode as the device
 * does ({@link xportdnn.precision.StandaloneBatchNorm}: 16-bit constants, a 32-bit accumulator, flooring shifts,
 * the ReLU the op always ends in), as is an in-place ReLU after it, reported as the last of them; in Xilinx mode,
 * whose arithmetic for it is not known, it is computed in float and listed, as is a BatchNorm or Scale alone.</li>
 * <li><b>Accumulation</b> is exact ({@link xportdnn.sim.IntConvolution}): the device stages partial sums in
 * narrower words, which is not modelled.</li>
 * <li><b>Pooling</b>: MAX on codes; AVE sums the codes of a window (padding counts 0) and hands the sum to the
 * device's arithmetic, {@link xportdnn.precision.AveragePooling}, which divides by the kernel's area.</li>
 * <li><b>Eltwise SUM/MAX and Concat</b> move every input into the output format (an identity where they share it:
 * a max's and a Concat's inputs and output; a sum's output has a range of its own), then add with saturation,
 * compare, or stack.</li>
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
