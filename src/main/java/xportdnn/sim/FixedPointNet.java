package xportdnn.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.BatchShares;
import xportdnn.engine.LayerObserver;
import xportdnn.engine.NativeBuild;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Blob;
import xportdnn.model.ChaidnnSupport;
import xportdnn.model.CloseNames;
import xportdnn.model.ConvGeometry;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.OutputMemory;
import xportdnn.model.PoolGeometry;
import xportdnn.model.Shapes;
import xportdnn.model.proto.Caffe.EltwiseParameter.EltwiseOp;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.precision.AveragePooling;
import xportdnn.precision.ChannelAlignment;
import xportdnn.precision.DynamicFixedScheme;
import xportdnn.precision.F8NetFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.PrecisionScheme;
import xportdnn.precision.Requantizer;
import xportdnn.precision.StandaloneBatchNorm;
import xportdnn.quant.BatchNormFusion;
import xportdnn.quant.BatchNormPair;
import xportdnn.quant.BatchNormStatistics;
import xportdnn.quant.XilinxThresholds;

/**
 * Runs a quantized CHaiDNN net (a prototxt with {@code precision_param} blocks, either quant_type, and its
 * caffemodel) on the host with the device's integer arithmetic, to measure what the fixed-point model does.
 *
 * <p>What runs how:
 * <ul>
 * <li>Convolution, with the BatchNorm/Scale the runtime fuses into it ({@link BatchNormFusion}) and an in-place
 * ReLU right after, as one step: weights (fused ones when fused) quantized to their format, integer
 * multiply-accumulate ({@link IntConvolution}, exact), per-channel requantization with the bias
 * ({@link NumberFormat#fromProducts}), ReLU as a lower bound 0. The output format is that of the last layer of the
 * chain carrying a block.</li>
 * <li>Pooling ({@link IntPooling}, average pooling by the device's arithmetic {@link AveragePooling}), Eltwise
 * SUM/MAX and Concat of integer inputs, and ReLU of integer input, on codes; Eltwise and Concat first move each
 * input into their output format, pooling does not (the device's codes are read in its output format).</li>
 * <li>A BatchNorm and the Scale reading its output that the runtime runs as an op of their own (not fused into a
 * Convolution: after an Eltwise or a Concat), with an in-place ReLU after them, as one step in DynamicFixed mode:
 * the device's integer arithmetic and its ReLU ({@link StandaloneBatchNorm}), reported as the last of them. In
 * Xilinx mode the pair is computed in float and listed in {@link #notes()}.</li>
 * <li>Dropout (an identity at test time) hands codes on unchanged.</li>
 * <li>Every other layer (InnerProduct, Softmax, Flatten, Reshape, Dropout of float values, PriorBox,
 * DetectionOutput...; also device layers not modelled in integers and layers CHaiDNN does not support) in float by
 * the float engine's op on the values of its inputs. A float value is quantized when a layer computing in
 * integers reads it, with that layer's input format; so the image is quantized with the input format of the first
 * layer that reads it (the Input layer's own block is not read).</li>
 * </ul>
 * A layer computing in integers reads codes in its declared input format; when the blob it reads holds codes of
 * another format (a file whose producer and reader disagree), the simulator converts the values and lists the
 * place in {@link #notes()}: the device would read the codes as they are. (F8Net, which the device does not run,
 * shifts a 32-bit accumulator into the reading convolution's 8-bit input format; the simulator does the same.)
 *
 * <p>{@link #forward} reports every step's output to an observer under the name of the layer whose output it
 * is, dequantized to float, so it can be compared with the float engine's output of that layer: a fused chain is
 * reported under its last layer (e.g. the ReLU), and the layers fused into it are not reported
 * ({@link #fusedLayers()}). Not for concurrent use (the float ops keep buffers). {@link #close} frees the native
 * copies of weights its float layers' ops made (an InnerProduct CHaiDNN computes in software: VGG-16's are 494 MB)
 * and its integer convolutions' weight and working matrices now, not at the garbage collection that native memory
 * does not prompt.
 */
public final class FixedPointNet implements AutoCloseable {

    /** Layers the float engine computes exactly on dequantized codes: they only move values around. */
    private static final Set<LayerType> REARRANGING = EnumSet.of(LayerType.SPLIT, LayerType.DROPOUT,
            LayerType.FLATTEN, LayerType.RESHAPE, LayerType.PERMUTE, LayerType.CROP, LayerType.SLICE, LayerType.CONCAT);

    /**
     * Layers the simulator can compute on codes (BatchNorm and Scale too, when fused into a convolution, and in
     * DynamicFixed mode a pair run as an op of its own).
     */
    private static final Set<LayerType> INTEGER_TYPES = EnumSet.of(LayerType.CONVOLUTION, LayerType.POOLING,
            LayerType.ELTWISE, LayerType.CONCAT, LayerType.RELU);

    /** One step of a pass: the layer it is reported as, the blobs it reads and writes, and its computation. */
    private record Stage(Layer layer, List<String> bottoms, List<String> tops, SimStep step) {
    }

    private final Net net;
    /** Whether a batch may run as shares of its images ({@link BatchShares#separable}). */
    private final boolean separable;
    private final PrecisionScheme scheme;
    private final PrecisionScheme chosen;
    private final List<Stage> stages = new ArrayList<>();
    /** Per stage, the index in net order of the first layer it computes (stages are in that order). */
    private final List<Integer> firstLayers = new ArrayList<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<String> outputs;
    private final List<String> notes = new ArrayList<>();
    /** The average poolings computed on codes, by layer name, in net order. */
    private final Map<String, IntPooling> averagePoolings = new LinkedHashMap<>();
    private final Map<String, String> fused = new LinkedHashMap<>();
    /** Layers a convolution or BatchNorm step computes besides its first: not steps of their own. */
    private final Set<String> consumed = new HashSet<>();
    /** Per blob, the index of the last stage reading it. */
    private final Map<String, Integer> lastRead = new HashMap<>();
    /** Per blob, the format of its codes when a stage computing in integers writes it. */
    private final Map<String, NumberFormat> formats = new HashMap<>();
    /** Per integer step, in net order: the layer it is reported as and the format it writes. */
    private final Map<String, NumberFormat> stepFormats = new LinkedHashMap<>();
    /** The layers the caller asked to compute in float although the device runs them (see the constructor). */
    private final Set<String> requestedFloat;
    /** Layers computed in float because they were asked for or belong to a fused chain one of them was asked for. */
    private final Set<String> floated = new LinkedHashSet<>();
    /** Every layer of a fused chain whose convolution is computed in float at the caller's request. */
    private final Set<String> floatChains = new HashSet<>();
    /** The BatchNorm/Scale pairs the device runs as an op of their own, by BatchNorm name. */
    private final Map<String, BatchNormPair> standalonePairs = new HashMap<>();

    /** Nets of the same layers computing the other shares of a split batch ({@link BatchShares}), made when needed. */
    private final List<FixedPointNet> shareNets = new ArrayList<>();

    /** The batch size whose memory {@link OutputMemory#check} last accepted. */
    private int checkedBatch = -1;
    /** The heap that check compares with (a test counts the checks through it). */
    private LongSupplier heapBytes = () -> Runtime.getRuntime().maxMemory();

    /**
     * @throws ModelException when the net is not a quantized one, a block lacks a field the scheme needs or holds
     *                        a bad value, weights are missing, or a float layer cannot be built
     */
    public FixedPointNet(Net net) {
        this(net, Set.of(), null);
    }

    /**
     * A simulation with some device layers computed in float instead, for analysis (what would running them on
     * the ARM buy?): each named layer runs as a software layer does, by the float engine's op on its inputs'
     * values, and its float output is quantized with the input format of the next layer computing in integers, as
     * a hand-off from the ARM to the FPGA would be. Naming any layer of a fused convolution chain (the
     * convolution, its BatchNorm/Scale, its in-place ReLU) computes the whole chain in float.
     *
     * @param floatLayers names of layers of the net that the device computes
     * @throws ModelException also when a named layer is not in the net or is computed in float anyway
     */
    public FixedPointNet(Net net, Set<String> floatLayers) {
        this(net, floatLayers, null);
    }

    /**
     * A simulation in {@code scheme} whatever the blocks' {@code quant_type} says: for schemes the device does not
     * run (e.g. {@link xportdnn.precision.AciqScheme}), which read the fields of a device scheme's blocks.
     */
    public FixedPointNet(Net net, PrecisionScheme scheme) {
        this(net, Set.of(), scheme);
    }

    /**
     * Both of the above: {@code floatLayers} computed in float, in {@code chosen} (null: the scheme the blocks'
     * {@code quant_type} states).
     */
    public FixedPointNet(Net net, Set<String> floatLayers, PrecisionScheme chosen) {
        NativeBuild.apply(); // for library users: the natives that fit the CPU, if nothing has loaded ND4J yet
        this.net = net;
        this.separable = BatchShares.separable(net);
        this.requestedFloat = Set.copyOf(floatLayers);
        this.chosen = chosen;
        this.scheme = chosen == null ? PrecisionScheme.of(net) : chosen;
        Map<String, BatchNormFusion> chains = BatchNormFusion.find(net);
        BatchNormPair.standalone(net).forEach(p -> standalonePairs.put(p.batchNorm().name(), p));
        checkFloatRequest(chains);
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (consumed.contains(l.name())) {
                continue;
            }
            if (l.layerType() == LayerType.INPUT) {
                inputs.addAll(l.tops());
                stages.add(new Stage(l, List.of(), l.tops(), null));
            } else {
                add(i, l, chains.get(l.name()));
            }
            while (firstLayers.size() < stages.size()) {
                firstLayers.add(i);
            }
        }
        if (inputs.isEmpty()) {
            throw new ModelException("net '" + net.name() + "' has no Input layer");
        }
        for (int s = 0; s < stages.size(); s++) {
            for (String b : stages.get(s).bottoms()) {
                lastRead.put(b, s);
            }
        }
        outputs = net.outputBlobs();
    }

    /**
     * A net computing a share of {@code first}'s batches ({@link BatchShares}): its stages with the same weights,
     * requantizers and formats ({@link SimStep#forShare}), the buffers its own. It only runs passes of its share's
     * images ({@link #runStages}), so it holds what they read.
     */
    private FixedPointNet(FixedPointNet first) {
        net = first.net;
        separable = first.separable;
        scheme = first.scheme;
        chosen = first.chosen;
        requestedFloat = first.requestedFloat;
        outputs = first.outputs;
        inputs.addAll(first.inputs);
        lastRead.putAll(first.lastRead);
        for (Stage s : first.stages) {
            SimStep step = s.step() == null ? null : s.step().forShare();
            stages.add(new Stage(s.layer(), s.bottoms(), s.tops(), step));
            if (first.averagePoolings.containsKey(s.layer().name())) {
                averagePoolings.put(s.layer().name(), (IntPooling) ((IntegerStep) step).op());
            }
        }
    }

    public Net net() {
        return net;
    }

    /**
     * Frees the native arrays its steps, and those of the nets computing shares of its batches, made for
     * themselves; a pass after it makes them again.
     */
    @Override
    public void close() {
        for (FixedPointNet share : shareNets) {
            share.closeSteps(); // first: their ops may share the arrays of this net's
        }
        shareNets.clear();
        closeSteps();
    }

    private void closeSteps() {
        stages.stream().map(Stage::step).filter(s -> s != null).forEach(SimStep::close);
    }

    /** The scheme the caller chose, or null when the blocks' {@code quant_type} states it. */
    public PrecisionScheme chosenScheme() {
        return chosen;
    }

    /** Makes the memory check compare with {@code heapBytes} instead of the Java heap's limit (for tests). */
    void heapBytes(LongSupplier heapBytes) {
        this.heapBytes = heapBytes;
    }

    /** The quant_type the net is simulated in: "Xilinx" or "DynamicFixed" (or a scheme the caller chose). */
    public String quantType() {
        return scheme.quantType();
    }

    public List<String> inputNames() {
        return List.copyOf(inputs);
    }

    /** The blobs no layer reads after their last write, in the order of that write: what {@link #forward} returns. */
    public List<String> outputNames() {
        return List.copyOf(outputs);
    }

    /**
     * What the simulation does differently from the device or from integers, one line per layer: layers computed
     * in float although the device runs them, layers CHaiDNN does not support, inputs whose format disagrees with
     * the reading layer's block; and where the device's own arithmetic goes wrong as simulated (an average pooling's
     * factors that overflow, a BatchNorm op's constant or shift that wraps).
     */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * Per average pooling computed on codes (by layer name, in net order), per image of the last pass that ran it, whether a
     * pooled code wrapped around: the device writes the low bits of an average out of its container's range, so a
     * large class score can come out negative. The simulation computes it as the device does; this says where.
     */
    public Map<String, boolean[]> lastPassWrappedAverages() {
        Map<String, boolean[]> wrapped = new LinkedHashMap<>();
        averagePoolings.forEach((name, pooling) -> wrapped.put(name, pooling.wrappedImages()));
        return wrapped;
    }

    /**
     * The fixed-point format of every output the device writes, by the layer that output is reported as (a
     * convolution with its fused BatchNorm/Scale and ReLU under the last of them, as the float engine shows that
     * blob), in net order. Layers computed in float are absent.
     */
    public Map<String, NumberFormat> outputFormats() {
        return Collections.unmodifiableMap(stepFormats);
    }

    /**
     * The layers computed in float only because the constructor was asked to (with the rest of their fused chain),
     * in net order: their outputs are not what the device computes.
     */
    public Set<String> floatLayers() {
        return Collections.unmodifiableSet(floated);
    }

    /** The layers {@link #forward} reports outputs under, in net order (the Input layers first). */
    public List<String> reportedLayers() {
        return stages.stream().map(st -> st.layer().name()).toList();
    }

    /**
     * The format of the codes each blob holds after the pass, by blob name (a blob rewritten in place: its last
     * writer's); blobs held as float values (the image, outputs of layers computed in float) are absent.
     */
    public Map<String, NumberFormat> blobFormats() {
        return Map.copyOf(formats);
    }

    /** Layers fused into a convolution or BatchNorm step, each with the layer it is reported as. */
    public Map<String, String> fusedLayers() {
        return Map.copyOf(fused);
    }

    /**
     * Sees each step's outputs during {@link #forwardValues}, under the layer it is reported as: the values
     * (dequantized) in C order, batch first. They are the simulator's own arrays: read them during the call, never
     * modify them.
     */
    @FunctionalInterface
    public interface ValuesObserver {

        void onOutput(Layer layer, List<float[]> tops);
    }

    /**
     * Runs {@code batch} images given as one C-ordered array (the input blob's declared shape with its first dim
     * replaced by {@code batch}).
     *
     * <p>Without an observer, a batch of several images runs as shares of its images on as many threads as the
     * calling thread's engine threads ({@link BatchShares}: each share on one thread from the image to the outputs,
     * through nets of the same layers made on the first such pass); with one, every step runs on the whole batch,
     * so the observer sees each step once, in order.
     *
     * @param observer sees each step's outputs, dequantized, as INDArrays valid during the call (copy what you
     *                 keep: they are freed when it returns); may be null
     * @return the net's output blobs by name, dequantized, in {@link #outputNames()} order
     */
    public Map<String, INDArray> forward(float[] input, int batch, LayerObserver observer) {
        return pass(input, batch, observer == null ? null : (layer, tops) -> {
            List<INDArray> shown = tops.stream().map(FixedPointNet::array).toList();
            observer.onOutput(layer, shown);
            shown.forEach(INDArray::close); // native copies: freed now, not whenever the collector runs
        });
    }

    /**
     * {@link #forward(float[], int, LayerObserver)} showing the observer the simulator's own values rather than
     * INDArray copies of them: for a caller that reads every output once (validate), no copy at all.
     */
    public Map<String, INDArray> forwardValues(float[] input, int batch, ValuesObserver observer) {
        return pass(input, batch, values(observer));
    }

    /** Shows a {@link ValuesObserver} the steps' values; null for none. */
    private static BiConsumer<Layer, List<SimTensor>> values(ValuesObserver observer) {
        return observer == null ? null
                : (layer, tops) -> observer.onOutput(layer, tops.stream().map(SimTensor::values).toList());
    }

    /**
     * Sees each step's outputs during {@link #forwardValuesFirst}, under the layer it is reported as: {@code tops}
     * gives the values of an output (by its index among the step's tops) when asked, dequantized once, in C order,
     * batch first: the simulator's own array, to read during the call, never to modify.
     */
    @FunctionalInterface
    public interface LazyValuesObserver {

        void onOutput(Layer layer, IntFunction<float[]> tops);
    }

    /**
     * {@link #forwardValues} up to a layer: runs only the steps that compute the net's first {@code layers} layers
     * (net order; a fused chain whose convolution is among them runs whole), for a caller that needs some values
     * up to some layer and nothing after it: the outputs it does not ask for are not dequantized, and the net's
     * outputs are not computed.
     */
    public void forwardValuesFirst(float[] input, int batch, int layers, LazyValuesObserver observer) {
        runStages(checkedInputShape(input, batch), input, stagesBefore(layers), lazy(observer));
    }

    /**
     * {@link #forwardValuesFirst(float[], int, int, LazyValuesObserver)} that also returns what the pass held
     * before the step computing layer {@code keep} (net order; at most {@code layers}; none when negative): a later
     * pass of the same images resumes there ({@link #forwardValuesFirst(PassFrontier, int, int, LazyValuesObserver)}).
     */
    public PassFrontier forwardValuesFirst(float[] input, int batch, int layers, int keep,
                                          LazyValuesObserver observer) {
        int[] shape = checkedInputShape(input, batch);
        return runStagesKeeping(0, new HashMap<>(), shape, input, stagesBefore(layers), keep, observer);
    }

    /**
     * The same pass resumed from {@code from} (made by a net whose layers before it are this one's): runs the steps
     * from there on only, and returns what the pass held before the step computing layer {@code keep} (at or after
     * {@code from}'s step; none when negative).
     */
    public PassFrontier forwardValuesFirst(PassFrontier from, int layers, int keep, LazyValuesObserver observer) {
        int start = stageComputing(from.layer());
        if (firstLayers.get(start) != from.layer()) {
            throw new IllegalArgumentException("no step starts at layer " + from.layer() + " of net '" + net.name()
                    + "'");
        }
        return runStagesKeeping(start, new HashMap<>(from.blobs()), null, null, stagesBefore(layers), keep,
                observer);
    }

    /** Runs stages {@code from..count-1} on {@code blobs}, keeping what they hold before the stage computing {@code keep}. */
    private PassFrontier runStagesKeeping(int from, Map<String, SimTensor> blobs, int[] shape, float[] input,
                                          int count, int keep, LazyValuesObserver observer) {
        if (keep < 0) {
            runStages(from, count, blobs, shape, input, lazy(observer));
            return null;
        }
        int kept = stageComputing(keep);
        if (kept < from || kept > count) {
            throw new IllegalArgumentException("layer " + keep + " is not computed between the pass's steps " + from
                    + " and " + count);
        }
        runStages(from, kept, blobs, shape, input, lazy(observer));
        Map<String, SimTensor> live = new HashMap<>();
        blobs.forEach((name, value) -> {
            if (lastRead.getOrDefault(name, -1) >= kept) {
                live.put(name, value.copy());
            }
        });
        PassFrontier frontier = new PassFrontier(firstLayers.get(kept), live);
        runStages(kept, count, blobs, shape, input, lazy(observer));
        return frontier;
    }

    /** How many stages compute the net's first {@code layers} layers (a fused chain whose first is among them whole). */
    private int stagesBefore(int layers) {
        int count = 0;
        while (count < stages.size() && firstLayers.get(count) < layers) {
            count++;
        }
        return count;
    }

    /** The stage computing layer {@code layer} (net order): the last whose first layer is not after it. */
    private int stageComputing(int layer) {
        int s = 0;
        while (s + 1 < stages.size() && firstLayers.get(s + 1) <= layer) {
            s++;
        }
        return s;
    }

    private static BiConsumer<Layer, List<SimTensor>> lazy(LazyValuesObserver observer) {
        return (layer, tops) -> observer.onOutput(layer, t -> tops.get(t).values());
    }

    private Map<String, INDArray> pass(float[] input, int batch, BiConsumer<Layer, List<SimTensor>> observer) {
        // an observer sees whole steps in order; a net whose images meet (SSD's last layers) runs whole
        int shares = observer == null && separable ? BatchShares.count(batch) : 1;
        if (shares > 1) {
            return sharedPass(input, batch, shares);
        }
        Map<String, SimTensor> blobs = runStages(checkedInputShape(input, batch), input, stages.size(), observer);
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String name : outputs) {
            result.put(name, array(blobs.get(name)));
        }
        return result;
    }

    /**
     * A whole pass as {@code shares} shares of the images ({@link BatchShares}), this net computing the first and
     * a net of the same layers each other one; the outputs (dequantized by each share) and the wrapped averages
     * are put back together in image order.
     */
    private Map<String, INDArray> sharedPass(float[] input, int batch, int shares) {
        checkedInputShape(input, batch); // the whole batch's memory: the shares' outputs together
        while (shareNets.size() < shares - 1) {
            shareNets.add(new FixedPointNet(this));
        }
        int imageValues = input.length / batch;
        List<List<SimTensor>> parts = BatchShares.run(shares, s -> {
            int from = BatchShares.first(s, shares, batch);
            int to = BatchShares.first(s + 1, shares, batch);
            FixedPointNet share = shareNet(s);
            float[] images = Arrays.copyOfRange(input, from * imageValues, to * imageValues);
            Map<String, SimTensor> blobs = share.runStages(share.inputShape(images, to - from), images,
                    share.stages.size(), null);
            List<SimTensor> tops = outputs.stream().map(blobs::get).toList();
            tops.forEach(SimTensor::values); // dequantized by the share's thread
            return tops;
        });
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (int o = 0; o < outputs.size(); o++) {
            int[] outShape = parts.get(0).get(o).shape().clone();
            outShape[0] = batch;
            float[] values = new float[Math.toIntExact(Blob.count(outShape))];
            int at = 0;
            for (List<SimTensor> part : parts) {
                float[] v = part.get(o).values();
                System.arraycopy(v, 0, values, at, v.length);
                at += v.length;
            }
            result.put(outputs.get(o), array(SimTensor.ofValues(outShape, values)));
        }
        averagePoolings.forEach((name, pooling) -> {
            boolean[] wrapped = new boolean[batch];
            for (int s = 0; s < shares; s++) {
                boolean[] part = shareNet(s).averagePoolings.get(name).wrappedImages();
                System.arraycopy(part, 0, wrapped, BatchShares.first(s, shares, batch), part.length);
            }
            pooling.wrappedImages(wrapped);
        });
        return result;
    }

    /** The net computing share {@code s} of a split batch: this one the first, a net of the same layers each other. */
    FixedPointNet shareNet(int s) {
        return s == 0 ? this : shareNets.get(s - 1);
    }

    /** {@link #inputShape}, and checks the memory the batch needs (once for a run of passes of one batch size). */
    private int[] checkedInputShape(float[] input, int batch) {
        int[] shape = inputShape(input, batch);
        if (batch != checkedBatch) {
            OutputMemory.check(net, batch, Integer.BYTES, heapBytes.getAsLong(), "Java heap (-Xmx)");
            checkedBatch = batch;
        }
        return shape;
    }

    /** Checks the input against the net's input blob; the batch's input shape. */
    private int[] inputShape(float[] input, int batch) {
        if (inputs.size() != 1) {
            throw new ModelException("net '" + net.name() + "' has " + inputs.size() + " inputs; the simulator takes one");
        }
        int[] shape = net.shape(inputs.get(0)).clone();
        shape[0] = batch;
        if (batch <= 0 || input.length != Blob.count(shape)) {
            throw new ModelException("input of " + input.length + " values does not fill " + batch + " x "
                    + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)) + " for blob '" + inputs.get(0) + "'");
        }
        return shape;
    }

    /** The stages' steps, in order (null for the Input's). */
    List<SimStep> steps() {
        return stages.stream().map(Stage::step).toList();
    }

    /**
     * Runs the first {@code count} stages on {@code input} of {@code shape} ({@link #inputShape}); returns the blobs
     * still held (all outputs after a whole pass).
     */
    private Map<String, SimTensor> runStages(int[] shape, float[] input, int count,
                                             BiConsumer<Layer, List<SimTensor>> observer) {
        Map<String, SimTensor> blobs = new HashMap<>();
        runStages(0, count, blobs, shape, input, observer);
        return blobs;
    }

    /** Runs stages {@code from..count-1} on the blobs held ({@code blobs}, updated); the input's stage needs it. */
    private void runStages(int from, int count, Map<String, SimTensor> blobs, int[] shape, float[] input,
                           BiConsumer<Layer, List<SimTensor>> observer) {
        for (int s = from; s < count; s++) {
            Stage stage = stages.get(s);
            List<SimTensor> tops = stage.step() == null ? List.of(SimTensor.ofValues(shape, input)) : run(stage, blobs);
            for (int t = 0; t < tops.size(); t++) {
                blobs.put(stage.tops().get(t), tops.get(t));
            }
            if (observer != null) {
                observer.accept(stage.layer(), tops);
            }
            for (String b : stage.bottoms()) {
                if (lastRead.get(b) == s && !outputs.contains(b)) {
                    blobs.remove(b);
                }
            }
        }
    }

    private static List<SimTensor> run(Stage stage, Map<String, SimTensor> blobs) {
        List<SimTensor> bottoms = stage.bottoms().stream().map(blobs::get).toList();
        List<SimTensor> tops;
        try {
            tops = stage.step().run(bottoms);
        } catch (ModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelException("layer '" + stage.layer().name() + "': " + e.getMessage(), e);
        }
        if (tops.size() != stage.tops().size()) {
            throw ModelException.inLayer(stage.layer().name(), "computes " + tops.size() + " outputs but declares "
                    + stage.tops().size() + " tops");
        }
        return tops;
    }

    private static INDArray array(SimTensor t) {
        return Tensors.of(t.values(), t.longShape());
    }

    /** Adds the stage of layer {@code index}, fusing the layers after it that the device fuses. */
    private void add(int index, Layer l, BatchNormFusion chain) {
        try {
            addStage(index, l, chain);
        } catch (IllegalArgumentException e) { // a format or requantizer the block's numbers make impossible
            throw ModelException.inLayer(l.name(), e.getMessage());
        }
    }

    private void addStage(int index, Layer l, BatchNormFusion chain) {
        PrecisionParameter block = PrecisionScheme.block(l);
        ChaidnnSupport support = ChaidnnSupport.of(l.param());
        boolean asked = askedFloat(index, l, chain);
        if (!asked && addedInteger(index, l, block, support, chain)) {
            return;
        }
        boolean device = support == ChaidnnSupport.DEVICE;
        if (asked) {
            floated.add(l.name());
        } else if (support == ChaidnnSupport.UNSUPPORTED) {
            notes.add("layer '" + l.name() + "' (" + ChaidnnSupport.describe(l.param())
                    + "): not supported by CHaiDNN; simulated in float");
        } else if (device && !REARRANGING.contains(l.layerType())) {
            notes.add("layer '" + l.name() + "' (" + l.type() + "): runs on the device but is simulated in float"
                    + (block == null ? " (it has no precision_param)" : ""));
        }
        stages.add(new Stage(l, l.bottoms(), l.tops(), new FloatStep(l, net.bottomShapes(l))));
        l.tops().forEach(formats::remove);
    }

    /**
     * Refuses a requested float layer the net does not have, naming close ones, or one the simulator computes in
     * float anyway: only layers it can compute in integers (with the BatchNorm/Scale fused into a convolution, and in
     * DynamicFixed a pair run as an op of its own) can be moved to float.
     */
    private void checkFloatRequest(Map<String, BatchNormFusion> chains) {
        List<String> names = net.layers().stream().map(Layer::name).toList();
        Set<String> fusable = new HashSet<>();
        chains.values().forEach(c -> c.fusedLayers().forEach(l -> fusable.add(l.name())));
        if (integerBatchNorms()) {
            standalonePairs.values().forEach(p -> fusable.addAll(List.of(p.batchNorm().name(), p.scale().name())));
        }
        for (String name : requestedFloat) {
            if (!names.contains(name)) {
                throw new ModelException("--float_layers: the net has no layer '" + name + "'"
                        + CloseNames.suggestion(name, names));
            }
            Layer l = net.layer(name);
            if (!(INTEGER_TYPES.contains(l.layerType()) || fusable.contains(name))
                    || ChaidnnSupport.of(l.param()) == ChaidnnSupport.UNSUPPORTED) {
                throw ModelException.inLayer(name, "--float_layers: its type, " + l.type() + ", is computed in float "
                        + "anyway (only layers the device computes in fixed point can be moved to float)");
            }
        }
    }

    /**
     * Whether the caller asked for this layer in float: by its name, or, for a convolution, by the name of a layer
     * of its fused chain (for a BatchNorm run as an op of its own, of its Scale); and the layers of a chain computed
     * in float follow its first.
     */
    private boolean askedFloat(int index, Layer l, BatchNormFusion chain) {
        if (requestedFloat.isEmpty()) {
            return false;
        }
        List<Layer> members = l.layerType() == LayerType.CONVOLUTION ? chainLayers(index, l, chain)
                : standalonePairs.containsKey(l.name())
                        ? List.of(l, standalonePairs.get(l.name()).scale()) : List.of();
        if (members.stream().anyMatch(m -> requestedFloat.contains(m.name()))) {
            members.forEach(m -> floatChains.add(m.name()));
        }
        return requestedFloat.contains(l.name()) || floatChains.contains(l.name());
    }

    /** Adds the integer step of a layer the device computes and the block describes; false to compute it in float. */
    private boolean addedInteger(int index, Layer l, PrecisionParameter block, ChaidnnSupport support,
            BatchNormFusion chain) {
        return switch (l.layerType()) {
            case CONVOLUTION -> {
                boolean integer = block != null && l.param().getConvolutionParam().getAxis() == 1;
                if (integer) {
                    addConvolution(index, l, block, chain);
                }
                yield integer;
            }
            case POOLING -> {
                boolean integer = block != null && support != ChaidnnSupport.UNSUPPORTED;
                if (integer) {
                    addPooling(l, block);
                }
                yield integer;
            }
            case ELTWISE -> {
                EltwiseOp op = l.param().getEltwiseParam().getOperation();
                boolean integer = block != null && XilinxThresholds.onInputScale(l);
                if (integer) {
                    NumberFormat out = scheme.output(l, block);
                    declaredInput(l, block);
                    integer(l, l.bottoms(), l.tops(), new EltwiseStep(op == EltwiseOp.SUM, out), out);
                }
                yield integer;
            }
            case CONCAT -> {
                NumberFormat out = concatFormat(l, block);
                if (out != null) {
                    int axis = Shapes.axis(l.name(), "axis", l.param().getConcatParam().hasConcatDim()
                            ? l.param().getConcatParam().getConcatDim() : l.param().getConcatParam().getAxis(),
                            net.shape(l.bottoms().get(0)).length);
                    integer(l, l.bottoms(), l.tops(), new ConcatStep(axis, out), out);
                }
                yield out != null;
            }
            case RELU -> {
                NumberFormat in = formats.get(l.bottoms().get(0));
                boolean integer = in != null && support != ChaidnnSupport.UNSUPPORTED;
                if (integer) {
                    NumberFormat declared = block == null || !block.hasBwLayerIn() ? in : declaredInput(l, block);
                    NumberFormat out = block == null || !block.hasBwLayerOut() ? declared : scheme.output(l, block);
                    integer(l, l.bottoms(), l.tops(), new ReluStep(declared, out), out);
                }
                yield integer;
            }
            case DROPOUT -> {
                // on codes, a pass-through the device does not compute: no output of its own to report a format for
                NumberFormat in = formats.get(l.bottoms().get(0));
                if (in != null) {
                    stages.add(new Stage(l, l.bottoms(), l.tops(), new PassThroughStep()));
                    l.tops().forEach(t -> formats.put(t, in));
                }
                yield in != null;
            }
            case BATCH_NORM -> addedBatchNorm(l, block);
            case INPUT, DECONVOLUTION, INNER_PRODUCT, PRELU, SIGMOID, TANH, ELU, ABSVAL, BNLL, POWER, EXP, LOG,
                 THRESHOLD, CLIP, SCALE, BIAS, SOFTMAX, LRN, NORMALIZE, MVN, SPLIT, SLICE,
                 FLATTEN, RESHAPE, PERMUTE, CROP, PRIOR_BOX, DETECTION_OUTPUT, ARG_MAX, TILE, REDUCTION,
                 UNKNOWN -> false;
        };
    }

    /** Whether BatchNorm/Scale pairs run as an op of their own are computed in integers: in DynamicFixed mode. */
    private boolean integerBatchNorms() {
        return DynamicFixedScheme.QUANT_TYPE.equals(scheme.quantType());
    }

    /**
     * Adds the step of a BatchNorm whose pair with a Scale the device runs as an op of its own (OPCODE_BN), in
     * DynamicFixed mode: the BatchNorm, its Scale and an in-place ReLU after them as one step, reported as the last
     * of them; false to compute it in float (Xilinx mode, whose formula for it is not known, or a pair whose
     * BatchNorm output another layer reads too).
     */
    private boolean addedBatchNorm(Layer bn, PrecisionParameter block) {
        BatchNormPair pair = standalonePairs.get(bn.name());
        if (pair == null || block == null || !integerBatchNorms() || !onlyTheScaleReads(bn, pair.scale())) {
            return false;
        }
        Layer scale = pair.scale();
        PrecisionParameter scaleBlock = PrecisionScheme.block(scale);
        if (scaleBlock == null) {
            return false;
        }
        if (!scaleBlock.hasScaleGammaByStdFl() || !scaleBlock.hasScaleBetaFl()) {
            throw ModelException.inLayer(scale.name(), "precision_param has no "
                    + (scaleBlock.hasScaleGammaByStdFl() ? "scale_beta_fl" : "scale_gamma_by_std_fl")
                    + " (the runtime would fall back to a default: a bug in the file)");
        }
        Layer relu = inPlaceRelu(net.layers().indexOf(scale), scale.tops().get(0));
        Layer reported = relu != null ? relu : scale;
        NumberFormat input = declaredInput(bn, block);
        NumberFormat output = scheme.output(scale, scaleBlock);
        BatchNormStatistics stats = BatchNormStatistics.of(bn);
        float[] gamma = scaleWeights(scale, 0);
        float[] beta = scale.param().getScaleParam().getBiasTerm() ? scaleWeights(scale, 1) : new float[gamma.length];
        if (stats.variance().length != gamma.length) {
            throw ModelException.inLayer(scale.name(), "has " + gamma.length + " gamma values but its BatchNorm '"
                    + bn.name() + "' has " + stats.variance().length + " variances");
        }
        StandaloneBatchNorm op = new StandaloneBatchNorm(stats.mean(), stats.gammaByStd(gamma), beta,
                block.getFlLayerIn(), scaleBlock.getScaleGammaByStdFl(), scaleBlock.getScaleBetaFl(),
                scaleBlock.getFlLayerOut(), scaleBlock.getBwLayerOut());
        op.overflows().forEach(o -> notes.add("layers '" + bn.name() + "' and '" + scale.name() + "' (run as one op "
                + "on the device): " + o + "; simulated as the device computes it"));
        for (Layer l : relu == null ? List.of(bn, scale) : List.of(bn, scale, relu)) {
            if (l != reported) {
                fused.put(l.name(), reported.name());
            }
            if (l != bn) {
                consumed.add(l.name());
            }
        }
        integer(reported, bn.bottoms(), reported.tops(), new BatchNormStep(op, input, output), output);
        return true;
    }

    /** Whether the BatchNorm writes in place or no layer but its Scale reads what it writes. */
    private boolean onlyTheScaleReads(Layer bn, Layer scale) {
        String blob = bn.tops().get(0);
        return bn.inPlace() || net.layers().stream().noneMatch(l -> l != scale && l.bottoms().contains(blob));
    }

    /** The Scale's learned blob {@code blob} (0 gamma, 1 beta). */
    private static float[] scaleWeights(Layer scale, int blob) {
        if (scale.weights().size() <= blob) {
            throw ModelException.inLayer(scale.name(), "the Scale has no learned " + (blob == 0 ? "gamma" : "beta")
                    + " (load the caffemodel)");
        }
        return scale.weights().get(blob).data();
    }

    /** The convolution {@code conv} (layer {@code index}) and the layers the device fuses into it, in net order. */
    private List<Layer> chainLayers(int index, Layer conv, BatchNormFusion chain) {
        List<Layer> chainLayers = new ArrayList<>();
        chainLayers.add(conv);
        String blob = conv.tops().get(0);
        int last = index;
        if (chain != null) {
            chainLayers.addAll(chain.fusedLayers());
            blob = chain.outputBlob();
            last = net.layers().indexOf(chain.lastLayer());
        }
        Layer relu = inPlaceRelu(last, blob);
        if (relu != null) {
            chainLayers.add(relu);
        }
        return chainLayers;
    }

    private void addConvolution(int index, Layer conv, PrecisionParameter block, BatchNormFusion chain) {
        List<Layer> chainLayers = chainLayers(index, conv, chain);
        String blob = chain == null ? conv.tops().get(0) : chain.outputBlob();
        Layer relu = chainLayers.size() > 1 && chainLayers.get(chainLayers.size() - 1).layerType() == LayerType.RELU
                ? chainLayers.get(chainLayers.size() - 1) : null;
        Layer reported = chainLayers.get(chainLayers.size() - 1);
        NumberFormat input = declaredInput(conv, block);
        NumberFormat output = null;
        for (Layer l : chainLayers) {
            PrecisionParameter p = PrecisionScheme.block(l);
            if (p != null && p.hasBwLayerOut()) {
                output = scheme.output(l, p);
            }
        }
        if (output == null) {
            output = scheme.output(conv, block); // reports the missing field
        }
        if (conv.weights().isEmpty()) {
            throw ModelException.inLayer(conv.name(), "the Convolution has no learned weights (load the caffemodel)");
        }
        Blob weights = weightsOf(conv, chain);
        float[] bias = chain != null ? chain.bias()
                : conv.param().getConvolutionParam().getBiasTerm() && conv.weights().size() > 1
                        ? conv.weights().get(1).data() : new float[weights.shape()[0]];
        NumberFormat weightFormat = scheme.weights(conv, block, weights, chain != null);
        ConvGeometry geometry = ConvGeometry.of(conv.param(), net.shape(conv.bottoms().get(0)));
        int[] codes = weightCodes(conv.name(), weights, weightFormat, input, geometry);
        Requantizer requantizer = output.fromProducts(input, weightFormat, bias);
        if (relu != null) {
            requantizer = requantizer.withRelu();
        }
        int[] bottom = net.shape(conv.bottoms().get(0));
        IntConvolution convolution = new IntConvolution(geometry, bottom, codes,
                () -> weightCodes(conv.name(), weightsOf(conv, chain), weightFormat, input, geometry),
                requantizer, input, Int8Products.enabled(), conv.name());
        for (Layer l : chainLayers) {
            if (l != reported) {
                fused.put(l.name(), reported.name());
            }
            if (l != conv) {
                consumed.add(l.name());
            }
        }
        integer(reported, conv.bottoms(), List.of(blob), new IntegerStep(convolution, input, output),
                output);
    }

    /** The weights of convolution {@code conv}, with its fused BatchNorm/Scale when {@code chain} is not null. */
    private static Blob weightsOf(Layer conv, BatchNormFusion chain) {
        return chain == null ? conv.weights().get(0) : chain.weights();
    }

    /**
     * The integer weight codes of a convolution's {@code weights} in {@code weightFormat}, aligned to its input's
     * exponents when it has one per channel.
     */
    private static int[] weightCodes(String layer, Blob weights, NumberFormat weightFormat, NumberFormat input,
            ConvGeometry geometry) {
        int[] codes = weightFormat.quantize(weights.data(), weights.count() / weights.shape()[0]);
        if (input.channels() > 1) { // an exponent per input channel: aligned in the integer weights
            try {
                codes = ChannelAlignment.fold(codes, input, weights.shape()[0], geometry.group(),
                        (int) geometry.kernelVolume());
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw ModelException.inLayer(layer, "its input channels cannot be aligned exactly: " + e.getMessage());
            }
        }
        return codes;
    }

    private void addPooling(Layer l, PrecisionParameter block) {
        NumberFormat in = declaredInput(l, block);
        NumberFormat out = scheme.output(l, block);
        int[] bottom = net.shape(l.bottoms().get(0));
        PoolGeometry window = PoolGeometry.of(l.param(), bottom);
        List<AveragePooling> averages = l.param().getPoolingParam().getPool() == PoolMethod.MAX ? null
                : scheme.averagePoolings(l, block, window);
        AveragePooling average = averages == null ? null : averages.get(0);
        if (average != null && !average.averages()) {
            notes.add("layer '" + l.name() + "': for a " + window.kernelH() + "x" + window.kernelW() + " window the "
                    + "runtime's average-pooling factors overflow (multiplier " + average.multiplier() + ", scale "
                    + average.scale() + "): the device's output, simulated as it is, is wrong");
        }
        if ((average == null || !average.rescales()) && !out.equals(in)) {
            notes.add("layer '" + l.name() + "' declares its output as " + out + " but pools its input (" + in
                    + ") without rescaling: the device's codes are read as " + out);
        }
        IntPooling pooling = new IntPooling(window, l.param().getPoolingParam().getRoundMode(), bottom, averages,
                Math.max(-(long) in.minCode(), in.maxCode()));
        if (averages != null) {
            averagePoolings.put(l.name(), pooling);
        }
        integer(l, l.bottoms(), l.tops(), new IntegerStep(pooling, in, out), out);
    }

    /**
     * The output format of a Concat computed on codes: its block's, or without a block the format its inputs
     * share; null (compute in float) when an input is float or the inputs disagree without a block.
     */
    private NumberFormat concatFormat(Layer l, PrecisionParameter block) {
        List<NumberFormat> in = l.bottoms().stream().map(formats::get).toList();
        if (in.contains(null)) {
            return null;
        }
        if (block != null && block.hasBwLayerOut()) {
            NumberFormat out = scheme.output(l, block);
            if (block.hasBwLayerIn() && out.channels() == 1) { // per-channel inputs each fill their own channels
                declaredInput(l, block);
            }
            return out;
        }
        return in.stream().distinct().count() == 1 ? in.get(0) : null;
    }

    /** The first layer after {@code after} reading {@code blob}, when it is a plain ReLU rewriting it in place. */
    private Layer inPlaceRelu(int after, String blob) {
        List<Layer> layers = net.layers();
        for (int k = after + 1; k < layers.size(); k++) {
            Layer l = layers.get(k);
            if (l.bottoms().contains(blob)) {
                boolean relu = l.layerType() == LayerType.RELU && l.inPlace() && l.bottoms().size() == 1
                        && ChaidnnSupport.of(l.param()) != ChaidnnSupport.UNSUPPORTED;
                return relu ? l : null;
            }
        }
        return null;
    }

    /** The layer's declared input format, noting every input blob whose codes are in another format. */
    private NumberFormat declaredInput(Layer l, PrecisionParameter block) {
        NumberFormat declared = scheme.input(l, block);
        for (String b : l.bottoms()) {
            NumberFormat held = formats.get(b);
            if (held != null && !held.equals(declared)) {
                notes.add("layer '" + l.name() + "' declares its input as " + declared + " but '" + b + "' holds "
                        + held + ": " + reading(l, held, declared));
            }
        }
        return declared;
    }

    /**
     * What layer {@code l}, declaring {@code declared}, does with codes of {@code held}, for a note. F8Net's
     * reference keeps residual blobs as 32-bit accumulators by design and moves them itself, as the simulator does.
     */
    private static String reading(Layer l, NumberFormat held, NumberFormat declared) {
        if (held instanceof F8NetFormat h && h.isWide() && declared instanceof F8NetFormat d) {
            if (l.layerType() == LayerType.ELTWISE) {
                return "F8Net moves every input of the Eltwise onto its output format, as the simulator does";
            }
            if (!d.isWide()) {
                return "F8Net shifts the 32-bit accumulator into its 8-bit input format (rounding half to even, "
                        + "saturating), as the simulator does";
            }
        }
        return "the simulator converts the values, the device would read the codes as they are";
    }

    private void integer(Layer reported, List<String> bottoms, List<String> tops, SimStep step, NumberFormat out) {
        stages.add(new Stage(reported, bottoms, tops, step));
        tops.forEach(t -> formats.put(t, out));
        stepFormats.put(reported.name(), out);
    }
}
