package xportdnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.precision.ShareThread;

/**
 * Runs a batch as shares of its images, one share per engine thread, each on a thread of its own that computes it
 * alone: its native calls on one OpenMP thread and one libnd4j thread, its Java loops (the simulator's) sequential.
 * Where images do not interact ({@link #separable}), each share computes what the whole batch would for its images.
 * Splitting every layer's work across the cores instead makes the threads meet at each of a pass's hundreds of joins
 * and native calls, where one waits for the other; shares run the whole pass without meeting, and one share's
 * memory-bound layers overlap the other's arithmetic. The float engine ({@link FloatEngine}) and the simulator
 * both run observer-free passes this way.
 */
public final class BatchShares {

    private static final ExecutorService THREADS = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "xportdnn-share");
        t.setDaemon(true);
        return t;
    });

    private BatchShares() {
    }

    /**
     * How many shares a batch of {@code batch} images run from the calling thread takes: one per OpenMP thread the
     * caller computes with ({@link EngineThreads}), at most one per image; 1 (no split) inside a share.
     */
    public static int count(int batch) {
        return ShareThread.inShare() ? 1 : Math.min(batch, EngineThreads.inEffect());
    }

    /** The first image of share {@code s} of {@code shares} of a batch (share s holds images first(s)..first(s+1)-1). */
    public static int first(int s, int shares, int batch) {
        return (int) ((long) batch * s / shares);
    }

    /**
     * {@code share} applied to 0..shares-1, share 0 on the calling thread and each other on a thread of its own,
     * all at once; returns when all have ended, their results in share order, or throws the first share's failure.
     */
    public static <T> List<T> run(int shares, IntFunction<T> share) {
        // libnd4j's own loops take their thread count from a process-wide setting, not from OpenMP's: one each
        int masterThreads = Nd4j.getEnvironment().maxMasterThreads();
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        try {
            return runAll(shares, share);
        } finally {
            Nd4j.getEnvironment().setMaxMasterThreads(masterThreads);
        }
    }

    private static <T> List<T> runAll(int shares, IntFunction<T> share) {
        List<Future<T>> others = new ArrayList<>();
        for (int s = 1; s < shares; s++) {
            int index = s;
            others.add(THREADS.submit(() -> alone(share, index)));
        }
        List<T> results = new ArrayList<>();
        RuntimeException failure = null;
        try {
            results.add(alone(share, 0));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<T> f : others) { // every share is waited for: they use the nets' buffers
            try {
                results.add(waitFor(f));
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static <T> T alone(IntFunction<T> share, int s) {
        int openMp = EngineThreads.setOpenMp(1);
        ShareThread.set(true);
        try {
            return share.apply(s);
        } finally {
            ShareThread.set(false);
            EngineThreads.setOpenMp(openMp);
        }
    }

    private static <T> T waitFor(Future<T> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the share still uses the buffers: wait for it all the same
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * True when every layer of {@code net} computes each image from that image alone and keeps the batch on the first
     * axis of its tops, so that a batch may be split into shares and their outputs stacked again. Not so for SSD's
     * PriorBox (one set of boxes for the whole batch) and DetectionOutput (every image's detections in one list), a
     * Reshape that does not keep the batch axis as it is ({@code dim: 0}, or an {@code axis} past it), a Permute that
     * moves the batch, or a layer working along the batch axis (Concat, Slice, Softmax, InnerProduct, Flatten, Scale,
     * Bias, Tile, Crop or ArgMax with axis 0); nor for any layer not named here.
     */
    public static boolean separable(Net net) {
        for (Layer layer : net.layers()) {
            if (!separable(layer, layer.bottoms().isEmpty() ? 0 : net.shape(layer.bottoms().get(0)).length)) {
                return false;
            }
        }
        return true;
    }

    private static boolean separable(Layer layer, int rank) {
        LayerParameter p = layer.param();
        return switch (layer.layerType()) {
            case INPUT, CONVOLUTION, DECONVOLUTION, POOLING, RELU, PRELU, SIGMOID, TANH, ELU, ABSVAL, BNLL, POWER, EXP,
                    LOG, THRESHOLD, CLIP, BATCH_NORM, LRN, DROPOUT, NORMALIZE, MVN, SPLIT, ELTWISE -> true;
            case CONCAT -> notBatch(p.getConcatParam().hasConcatDim() ? p.getConcatParam().getConcatDim()
                    : p.getConcatParam().getAxis(), rank);
            case SLICE -> notBatch(p.getSliceParam().hasSliceDim() ? p.getSliceParam().getSliceDim()
                    : p.getSliceParam().getAxis(), rank);
            case SOFTMAX -> notBatch(p.getSoftmaxParam().getAxis(), rank);
            case INNER_PRODUCT -> notBatch(p.getInnerProductParam().getAxis(), rank);
            case FLATTEN -> notBatch(p.getFlattenParam().getAxis(), rank);
            case SCALE -> notBatch(p.getScaleParam().getAxis(), rank);
            case BIAS -> notBatch(p.getBiasParam().getAxis(), rank);
            case TILE -> notBatch(p.getTileParam().getAxis(), rank);
            case CROP -> notBatch(p.getCropParam().getAxis(), rank);
            case ARG_MAX -> !p.getArgmaxParam().hasAxis() || notBatch(p.getArgmaxParam().getAxis(), rank);
            case PERMUTE -> p.getPermuteParam().getOrderCount() == 0 || p.getPermuteParam().getOrder(0) == 0;
            case RESHAPE -> notBatch(p.getReshapeParam().getAxis(), rank)
                    || p.getReshapeParam().getShape().getDimCount() > 0 && p.getReshapeParam().getShape().getDim(0) == 0;
            default -> false;
        };
    }

    /** True when {@code axis} (negative: counted from the end of {@code rank} axes) is not the batch axis. */
    private static boolean notBatch(int axis, int rank) {
        return (axis < 0 ? axis + rank : axis) != 0;
    }
}
