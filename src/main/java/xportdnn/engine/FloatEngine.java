package xportdnn.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.Set;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import xportdnn.engine.layers.LayerOp;
import xportdnn.engine.layers.Layers;
import xportdnn.engine.layers.PointwiseOverParts;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.OutputMemory;

/**
 * Runs a loaded net forward in float32 with Caffe's TEST-phase semantics on a batch of N images (N may differ
 * from the batch the prototxt declares). Built once per net: every layer's op and weights are prepared up front,
 * so an unsupported layer or bad weights fail here, naming the layer. {@link #forward} returns only the net's
 * outputs; an optional {@link LayerObserver} sees every layer's own output as it is computed. {@link #start} runs a
 * pass one layer at a time instead, for a caller that has work to do between the layers.
 *
 * <p>For speed the ops keep their output arrays from one pass to the next, and a layer declared in place
 * overwrites its bottom when no other blob can see that array. The arrays an observer is shown are therefore
 * valid only during its call; the returned outputs are copies the caller owns. Not for concurrent use.
 */
public final class FloatEngine implements AutoCloseable {

    static {
        NativeBuild.apply(); // for library users: the natives that fit the CPU, if nothing has loaded ND4J yet
    }

    private record Step(Layer layer, LayerOp op) {
    }

    /** The steps of a pass, and per blob name the index of the last step that reads it. */
    private record Plan(List<Step> steps, Map<String, Integer> lastRead) {

        /**
         * The same steps with ops of their own that share these ops' weights ({@link LayerOp#sharingWeights}), or
         * are built again where an op does not offer it (its weights are small); {@code shared} maps each op to its
         * counterpart, so that an op two plans hold gets one.
         */
        Plan sharing(Map<LayerOp, LayerOp> shared, Net net) {
            List<Step> copies = new ArrayList<>();
            for (Step step : steps) {
                LayerOp op = step.op() == null ? null : shared.computeIfAbsent(step.op(), o -> {
                    LayerOp sharing = o.sharingWeights();
                    return sharing != null ? sharing
                            : Layers.create(step.layer(), step.layer().bottoms().stream().map(net::shape).toList());
                });
                copies.add(new Step(step.layer(), op));
            }
            return new Plan(copies, lastRead);
        }

        static Plan of(List<Step> steps) {
            Map<String, Integer> lastRead = new HashMap<>();
            for (int i = 0; i < steps.size(); i++) {
                for (String bottom : steps.get(i).layer().bottoms()) {
                    lastRead.put(bottom, i);
                }
            }
            return new Plan(List.copyOf(steps), lastRead);
        }
    }

    private final Net net;
    /** Every layer of the net, in order: what a pass with an observer runs. */
    private final Plan plan;
    /**
     * What a pass without an observer runs ({@link #observerFreePlan}): {@link #plan} without the Concats a pointwise
     * convolution can read the parts of, and with ReLUs moved after the MAX poolings reading them; nobody sees the
     * blobs this changes.
     */
    private final Plan observerFree;
    private final List<String> inputs = new ArrayList<>();
    private final List<String> outputs;
    /** The batch size whose memory {@link #checkMemory} last accepted. */
    private long checkedBatch = -1;
    /** Whether a batch may run as shares of its images ({@link BatchShares#separable}). */
    private final boolean separable;
    /** Engines of the same layers computing the shares of a split batch, made when first needed. */
    private final List<FloatEngine> shareEngines = new ArrayList<>();
    /** Whether {@link #close} ran: no pass after it. */
    private boolean closed;

    public FloatEngine(Net net) {
        this.net = net;
        Set<String> produced = new HashSet<>();
        List<Step> steps = new ArrayList<>();
        for (Layer layer : net.layers()) {
            if (layer.layerType() == LayerType.INPUT) {
                inputs.addAll(layer.tops());
                steps.add(new Step(layer, null));
            } else {
                if (layer.bottoms().isEmpty()) {
                    throw ModelException.inLayer(layer.name(), "has no bottom");
                }
                List<int[]> bottomShapes = new ArrayList<>();
                for (String bottom : layer.bottoms()) {
                    if (!produced.contains(bottom)) {
                        throw ModelException.inLayer(layer.name(), "bottom '" + bottom + "' is not produced by any earlier layer");
                    }
                    bottomShapes.add(net.shape(bottom));
                }
                steps.add(new Step(layer, Layers.create(layer, bottomShapes)));
            }
            for (String top : layer.tops()) {
                produced.add(top);
            }
        }
        if (inputs.isEmpty()) {
            throw new ModelException("net '" + net.name() + "' has no Input layer");
        }
        outputs = net.outputBlobs();
        separable = BatchShares.separable(net);
        plan = Plan.of(steps);
        observerFree = observerFreePlan(steps);
    }

    /**
     * {@code steps} as a pass without an observer runs them: without the Concats that
     * {@link PointwiseOverParts#fusable} finds, each one's convolution reading its bottoms instead, and with each
     * ReLU that {@link ReluAfterMaxPooling} finds run on its MAX pooling's output instead of before the pooling.
     */
    private Plan observerFreePlan(List<Step> steps) {
        Map<String, String> fused = PointwiseOverParts.fusable(net);
        Map<String, String> movedRelus = ReluAfterMaxPooling.find(net);
        if (fused.isEmpty() && movedRelus.isEmpty()) {
            return plan;
        }
        Map<String, Layer> concatBefore = new HashMap<>();
        Map<String, Layer> reluAfter = new HashMap<>();
        for (Step step : steps) {
            String name = step.layer().name();
            if (fused.containsKey(name)) {
                concatBefore.put(fused.get(name), step.layer());
            }
            if (movedRelus.containsKey(name)) {
                reluAfter.put(movedRelus.get(name), step.layer());
            }
        }
        List<Step> kept = new ArrayList<>();
        for (Step step : steps) {
            Layer layer = step.layer();
            Layer concat = concatBefore.get(layer.name());
            if (concat != null) {
                Layer readingParts = withBlobs(layer, concat.bottoms(), layer.tops());
                kept.add(new Step(readingParts, PointwiseOverParts.of(layer, concat.bottoms().stream().map(net::shape).toList())));
            } else if (!fused.containsKey(layer.name()) && !movedRelus.containsKey(layer.name())) {
                kept.add(step);
            }
            Layer relu = reluAfter.get(layer.name());
            if (relu != null) {
                String pooled = layer.tops().get(0);
                Layer rectifying = withBlobs(relu, List.of(pooled), List.of(pooled));
                kept.add(new Step(rectifying, Layers.create(rectifying, List.of(net.shape(pooled)))));
            }
        }
        return Plan.of(kept);
    }

    /** {@code layer} reading {@code bottoms} and writing {@code tops}, its parameters and weights the same. */
    private static Layer withBlobs(Layer layer, List<String> bottoms, List<String> tops) {
        return new Layer(layer.param().toBuilder().clearBottom().addAllBottom(bottoms).clearTop().addAllTop(tops).build(),
                layer.weights(), layer.topShapes());
    }

    /**
     * An engine computing a share of {@code first}'s batches ({@link BatchShares}): its ops share first's weights
     * where they offer to ({@link LayerOp#sharingWeights}), the others are built again (their weights are small).
     */
    private FloatEngine(FloatEngine first) {
        net = first.net;
        inputs.addAll(first.inputs);
        outputs = first.outputs;
        separable = first.separable;
        Map<LayerOp, LayerOp> shared = new IdentityHashMap<>(); // an op both plans hold is shared once
        plan = first.plan.sharing(shared, net);
        observerFree = first.observerFree == first.plan ? plan : first.observerFree.sharing(shared, net);
    }

    public Net net() {
        return net;
    }

    /**
     * Frees the native arrays its ops keep (every layer's outputs from the last pass, a batch's activations; an
     * InnerProduct's weights), and those of the engines computing shares of its batches, now rather than at a
     * garbage collection, which native memory does not prompt. A pass after it is refused; closing again does
     * nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (FloatEngine share : shareEngines) {
            share.closeOps(); // first: their ops may share this engine's weights
        }
        shareEngines.clear();
        closeOps();
    }

    /** Closes each op of the two plans once (they hold some of the same ops). */
    private void closeOps() {
        Set<LayerOp> ops = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Plan p : List.of(plan, observerFree)) {
            p.steps().stream().map(Step::op).filter(op -> op != null).forEach(ops::add);
        }
        ops.forEach(LayerOp::close);
    }

    /** Refuses a pass of a closed engine: its ops' arrays, weights among them, are freed. */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("net '" + net.name() + "': its float engine was closed");
        }
    }

    /** The input blobs, in the order their Input layers appear. */
    public List<String> inputNames() {
        return List.copyOf(inputs);
    }

    /** The blobs no layer reads after their last write, in the order of that write: what {@link #forward} returns. */
    public List<String> outputNames() {
        return List.copyOf(outputs);
    }

    /** Runs a net with one input on {@code input} ({@code [N, C, H, W]} or whatever rank the input has). */
    public Map<String, INDArray> forward(INDArray input) {
        return forward(input, null);
    }

    public Map<String, INDArray> forward(INDArray input, LayerObserver observer) {
        if (inputs.size() != 1) {
            throw new ModelException("net '" + net.name() + "' has " + inputs.size() + " inputs " + inputs
                    + "; pass them by name");
        }
        return forward(Map.of(inputs.get(0), input), observer);
    }

    /**
     * Runs a net with one input on {@code batch} images given as one C-ordered array: the input blob's declared
     * shape with its first dim replaced by {@code batch}.
     */
    public Map<String, INDArray> forward(float[] input, int batch, LayerObserver observer) {
        if (observer == null) { // the observer-free plan, in shares of the batch
            INDArray array = inputArray(input, batch);
            try {
                return forward(Map.of(inputs.get(0), array), null);
            } finally {
                array.close();
            }
        }
        try (Pass pass = start(input, batch)) {
            return pass.finish(observer);
        }
    }

    /**
     * Starts a pass over {@code batch} images (as {@link #forward(float[], int, LayerObserver)} takes them) that
     * runs one layer per {@link Pass#step}, for a caller that interleaves the layers with other work. One pass at a
     * time: the ops' arrays are shared.
     */
    public Pass start(float[] input, int batch) {
        INDArray array = inputArray(input, batch);
        try {
            return new Pass(plan, Map.of(inputs.get(0), array), array);
        } catch (RuntimeException e) {
            array.close();
            throw e;
        }
    }

    /**
     * Resumes a pass of {@code batch} images before layer {@code from} (net order): {@code live} holds, C-ordered
     * and batch first, the values an earlier pass ({@link Pass#live}) had there of every blob read from that layer
     * on. The layers before it are not run again; their outputs must be what this engine's layers compute.
     */
    public Pass resume(Map<String, float[]> live, int batch, int from) {
        Map<String, INDArray> arrays = new HashMap<>();
        try {
            live.forEach((name, values) -> {
                long[] shape = Arrays.stream(net.shape(name)).asLongStream().toArray();
                shape[0] = batch;
                arrays.put(name, Tensors.of(values, shape));
            });
            return new Pass(plan, arrays, from);
        } catch (RuntimeException e) {
            arrays.values().forEach(INDArray::close);
            throw e;
        }
    }

    /** {@code batch} images given as one C-ordered array, as an array of the input blob's shape (batch replaced). */
    private INDArray inputArray(float[] input, int batch) {
        int[] declared = net.shape(inputs.get(0));
        long[] shape = Arrays.stream(declared).asLongStream().toArray();
        shape[0] = batch;
        long count = Tensors.count(shape);
        if (batch <= 0 || input.length != count) {
            throw new ModelException("input of " + input.length + " values does not fill " + batch + " x "
                    + Arrays.toString(Arrays.copyOfRange(declared, 1, declared.length)) + " for blob '" + inputs.get(0) + "'");
        }
        return Tensors.of(input, shape);
    }

    /**
     * Runs the net on the given input blobs, each batch first with the same batch size.
     *
     * @param observer sees each layer's output as it is computed; may be null
     * @return the net's output blobs by name, in {@link #outputNames()} order
     */
    public Map<String, INDArray> forward(Map<String, INDArray> inputValues, LayerObserver observer) {
        int batch = batchOf(inputValues);
        // an observer sees whole layers in order
        int shares = observer == null && separable ? BatchShares.count(batch) : 1;
        if (shares > 1) {
            return forwardShares(inputValues, batch, shares);
        }
        return new Pass(observer == null ? observerFree : plan, inputValues, null).finish(observer);
    }

    /** The batch size of the inputs (their first axis), 1 for a scalar input. */
    private static int batchOf(Map<String, INDArray> inputValues) {
        INDArray first = inputValues.values().iterator().next();
        return first.rank() == 0 ? 1 : (int) Math.min(first.size(0), Integer.MAX_VALUE);
    }

    /**
     * A pass without an observer as {@code shares} shares of the images ({@link BatchShares}), each computed by an
     * engine of the same layers (not this one: its buffers keep the whole batch's shapes for the passes with an
     * observer, rather than being made again whenever the two kinds of pass alternate); the outputs are stacked in
     * image order.
     * SqueezeNet v1.0 at batch 16, 2 threads, against the whole batch in the same process (tools/EngineAB.java,
     * 2026-12-07, load average 1-2): median ratio 0.97 and 0.97 in two runs (faster in 7 of 10 and 15 of 24 rounds),
     * outputs bit-identical; convolutions gain nothing (oneDNN already splits them well), the memory-bound layers of
     * one share overlap the other's arithmetic.
     */
    private Map<String, INDArray> forwardShares(Map<String, INDArray> inputValues, int batch, int shares) {
        requireOpen(); // the shares' own engines run the pass
        checkMemory(inputValues); // the shares together take the whole batch's memory
        while (shareEngines.size() < shares) {
            shareEngines.add(new FloatEngine(this));
        }
        List<Map<String, INDArray>> parts = BatchShares.run(shares, s -> {
            int from = BatchShares.first(s, shares, batch);
            int to = BatchShares.first(s + 1, shares, batch);
            Map<String, INDArray> images = new HashMap<>();
            inputValues.forEach((name, value) -> images.put(name, value.get(imagesOf(value, from, to))));
            FloatEngine engine = shareEngines.get(s);
            return engine.new Pass(engine.observerFree, images, null).finish(null);
        });
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String name : outputs) {
            result.put(name, Nd4j.concat(0, parts.stream().map(part -> part.get(name)).toArray(INDArray[]::new)));
        }
        return result;
    }

    /** The index of images {@code from..to-1} of {@code value} (batch first): a view, not a copy. */
    private static INDArrayIndex[] imagesOf(INDArray value, int from, int to) {
        INDArrayIndex[] index = NDArrayIndex.allFor(value);
        index[0] = NDArrayIndex.interval(from, to);
        return index;
    }

    /**
     * One forward pass, run a layer at a time. The arrays {@link #tops} shows are the engine's working memory,
     * valid until the next step (see {@link LayerObserver}).
     */
    public final class Pass implements AutoCloseable {

        private final List<Step> steps;
        private final Map<String, Integer> lastRead;
        private final Map<String, INDArray> inputValues;
        /** The arrays {@link #start} or {@link #resume} made: freed with the pass, not left to the garbage collector. */
        private final List<INDArray> owned;
        private final Map<String, INDArray> blobs = new HashMap<>();
        /** Arrays computed in this pass that no other blob can see: an in-place layer may overwrite these. */
        private final Set<INDArray> exclusive = Collections.newSetFromMap(new IdentityHashMap<>());
        private int next;
        private List<INDArray> tops = List.of();

        private Pass(Plan plan, Map<String, INDArray> inputValues, INDArray ownedInput) {
            this.steps = plan.steps();
            this.lastRead = plan.lastRead();
            this.inputValues = inputValues;
            this.owned = ownedInput == null ? List.of() : List.of(ownedInput);
            requireOpen();
            checkMemory(inputValues);
        }

        /** A pass before layer {@code from} of the plan with one step per layer, holding {@code live}. */
        private Pass(Plan plan, Map<String, INDArray> live, int from) {
            this.steps = plan.steps();
            this.lastRead = plan.lastRead();
            this.inputValues = Map.of();
            this.owned = List.copyOf(live.values());
            requireOpen();
            blobs.putAll(live);
            next = from;
        }

        /** The index (net order) of the layer the next {@link #step} runs. */
        public int next() {
            return next;
        }

        /**
         * The values of every blob held now that a layer from {@link #next} on reads (C order, batch first,
         * copies): what {@link #resume} takes to continue from here.
         */
        public Map<String, float[]> live() {
            Map<String, float[]> out = new HashMap<>();
            blobs.forEach((name, value) -> {
                if (lastRead.getOrDefault(name, -1) >= next) {
                    out.put(name, Tensors.floats(value));
                }
            });
            return out;
        }

        /** Whether every layer has run. */
        public boolean done() {
            return next == steps.size();
        }

        /** Runs the next layer and returns it; its outputs are {@link #tops} until the next step. */
        public Layer step() {
            int index = next++;
            Step step = steps.get(index);
            Layer layer = step.layer();
            if (step.op() == null) {
                tops = inputsOf(layer, inputValues);
            } else {
                List<INDArray> bottoms = bottomsOf(layer, blobs);
                boolean overwrite = layer.inPlace() && exclusive.contains(bottoms.get(0));
                tops = run(step, bottoms, overwrite);
                if (step.op().topsShareMemory()) {
                    exclusive.removeAll(bottoms);
                } else {
                    exclusive.addAll(tops);
                }
            }
            for (int t = 0; t < tops.size(); t++) {
                blobs.put(layer.tops().get(t), tops.get(t));
            }
            for (String bottom : layer.bottoms()) {
                if (lastRead.get(bottom) == index && !outputs.contains(bottom)) {
                    blobs.remove(bottom);
                }
            }
            return layer;
        }

        /** The outputs of the layer the last {@link #step} ran, in its top order, batch first. */
        public List<INDArray> tops() {
            return tops;
        }

        /**
         * Runs the layers left, showing each to {@code observer} (may be null), and returns the net's output blobs
         * by name in {@link #outputNames()} order: copies the caller owns.
         */
        public Map<String, INDArray> finish(LayerObserver observer) {
            while (!done()) {
                Layer layer = step();
                if (observer != null) {
                    observer.onOutput(layer, tops);
                }
            }
            Map<String, INDArray> result = new LinkedHashMap<>();
            for (String name : outputs) {
                result.put(name, blobs.get(name).dup('c')); // the ops reuse their arrays on the next pass
            }
            if (NonFiniteValues.any(List.copyOf(result.values()))) {
                throw firstNonFinite(inputValues);
            }
            return result;
        }

        @Override
        public void close() {
            owned.forEach(INDArray::close);
        }
    }

    /**
     * Runs the pass again, checking every layer's output, to name the first that holds infinite or NaN values.
     * Only after the outputs were found to hold some: checking every layer on every pass would cost a read of all
     * activations.
     */
    private ModelException firstNonFinite(Map<String, INDArray> inputValues) {
        class FirstNonFinite extends RuntimeException {
            final transient Layer layer;

            FirstNonFinite(Layer layer) {
                super(null, null, false, false);
                this.layer = layer;
            }
        }
        try {
            forward(inputValues, (layer, tops) -> {
                if (NonFiniteValues.any(tops)) {
                    throw new FirstNonFinite(layer);
                }
            });
        } catch (FirstNonFinite e) {
            return NonFiniteValues.firstIn(e.layer);
        }
        return new ModelException("net '" + net.name() + "': its outputs hold infinite or NaN values");
    }

    /** Before the first pass at a batch size: refuses one whose layer outputs cannot fit in native memory. */
    private void checkMemory(Map<String, INDArray> inputValues) {
        INDArray first = inputValues.get(inputs.get(0));
        if (first == null || first.rank() == 0 || first.size(0) == checkedBatch) {
            return;
        }
        long batch = first.size(0);
        requireMemory((int) Math.min(batch, Integer.MAX_VALUE), nativeBudget());
        checkedBatch = batch;
    }

    /** Refuses a pass at {@code batch} whose layer outputs and ops' workspace need more than {@code budgetBytes}. */
    void requireMemory(int batch, long budgetBytes) {
        OutputMemory.check(net, batch, Float.BYTES, workspace(), budgetBytes,
                "native memory ND4J may use (org.bytedeco.javacpp.maxBytes, by default -Xmx; with the xportdnn "
                        + "launcher, e.g. XPORTDNN_JAVA_OPTS=-Xmx4g)");
    }

    /** Whether a pass at {@code batch} fits in the native memory ND4J may use (the first pass's check passes). */
    public boolean fits(int batch) {
        return OutputMemory.fits(net, batch, Float.BYTES, workspace(), nativeBudget());
    }

    /** Each layer's values per image its computation allocates besides its outputs. */
    private ToLongFunction<Layer> workspace() {
        Map<String, Long> workspace = new HashMap<>();
        for (Step step : plan.steps()) {
            workspace.put(step.layer().name(), step.op() == null ? 0 : step.op().workspaceValuesPerImage());
        }
        return layer -> workspace.getOrDefault(layer.name(), 0L);
    }

    /** What ND4J's off-heap arrays may take: JavaCPP's limit, else the machine's physical memory. */
    static long nativeBudget() {
        long max = Pointer.maxBytes();
        long physical = Pointer.totalPhysicalBytes();
        if (max <= 0) {
            return physical > 0 ? physical : Runtime.getRuntime().maxMemory();
        }
        return physical > 0 ? Math.min(max, physical) : max;
    }

    private List<INDArray> inputsOf(Layer layer, Map<String, INDArray> values) {
        List<INDArray> tops = new ArrayList<>();
        for (String name : layer.tops()) {
            INDArray value = values.get(name);
            if (value == null) {
                throw new ModelException("no value given for input blob '" + name + "'");
            }
            checkInputShape(name, value);
            tops.add(value.dataType() == DataType.FLOAT ? value : value.castTo(DataType.FLOAT));
        }
        return tops;
    }

    private void checkInputShape(String name, INDArray value) {
        int[] declared = net.blobShapes().get(name);
        if (declared == null) {
            return;
        }
        long[] shape = value.shape();
        boolean fits = shape.length == declared.length;
        for (int i = 1; fits && i < shape.length; i++) {
            fits = shape[i] == declared[i];
        }
        if (!fits) {
            throw new ModelException("input blob '" + name + "' has shape " + Arrays.toString(shape) + ", the net expects N x "
                    + Arrays.toString(Arrays.copyOfRange(declared, 1, declared.length)));
        }
    }

    private static List<INDArray> bottomsOf(Layer layer, Map<String, INDArray> blobs) {
        List<INDArray> bottoms = new ArrayList<>(layer.bottoms().size());
        for (String name : layer.bottoms()) {
            bottoms.add(blobs.get(name));
        }
        return bottoms;
    }

    private static List<INDArray> run(Step step, List<INDArray> bottoms, boolean overwrite) {
        List<INDArray> tops;
        try {
            tops = overwrite ? step.op().forwardInPlace(bottoms) : step.op().forward(bottoms);
        } catch (ModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelException("layer '" + step.layer().name() + "': " + e.getMessage(), e);
        }
        if (tops.size() != step.layer().tops().size()) {
            throw ModelException.inLayer(step.layer().name(), "computes " + tops.size() + " outputs but declares "
                    + step.layer().tops().size() + " tops");
        }
        return tops;
    }
}
