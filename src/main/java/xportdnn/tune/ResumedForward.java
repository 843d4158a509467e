package xportdnn.tune;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import xportdnn.data.Batches;
import xportdnn.data.RepeatedBatches;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.NativeHeap;
import xportdnn.sim.FixedPointNet;
import xportdnn.sim.PassFrontier;

/**
 * The forward runs of fast finetune's passes, the float net and the simulator side by side on every batch of the
 * calibration images. A pass changes nothing before its first convolution (its cut): the values both nets hold
 * there, per batch (every blob read at or after it, the simulator's as codes), are kept, and the next pass resumes
 * from them instead of running the net from the image again, so the work grows with the depth and not with its
 * square (on a chain of L passes, about 2L layers per image instead of L^2/2). Kept only while a pass's frontier
 * fits {@code budgetBytes} (in the heap, one frontier being made while the last is read); one that does not is
 * skipped, and the next pass resumes from the last kept (the image at first). A pass that resumes every batch
 * reads no image: it goes over the batches' positions only, and the decoded images are let go
 * ({@link RepeatedBatches#runPositions}).
 */
final class ResumedForward {

    /** The default budget: a sixteenth of the heap (two frontiers at a time: an eighth, as the kept images). */
    static long defaultBudget() {
        return Runtime.getRuntime().maxMemory() / 16;
    }

    /** Takes each batch's captured inputs of the pass's convolutions. */
    @FunctionalInterface
    interface Inputs {
        void accept(InputCapture floatInputs, InputCapture deviceInputs, int images);
    }

    /** Both nets' values at a cut, for one batch. */
    private record Frontier(Map<String, float[]> floats, PassFrontier device) {

        long bytes() {
            return floats.values().stream().mapToLong(v -> (long) v.length * Float.BYTES).sum() + device.bytes();
        }
    }

    /** Every batch's frontier (by the batch's first image) before the float net's layer {@code layer}. */
    private record Kept(int layer, Map<Integer, Frontier> batches) {

        static final Kept NONE = new Kept(0, Map.of());
    }

    private final RepeatedBatches batches;
    private final long budgetBytes;
    /** Run after every batch: gives the native memory the batch freed back ({@link NativeHeap#trim}). */
    private final Runnable afterBatch;
    /** What passes resume from; none: from the image. */
    private Kept kept = Kept.NONE;

    /** @param budgetBytes the most one pass's frontier (all batches) may take */
    ResumedForward(RepeatedBatches batches, long budgetBytes) {
        this(batches, budgetBytes, NativeHeap::trim);
    }

    /** @param afterBatch run after each batch's forward runs and statistics */
    ResumedForward(RepeatedBatches batches, long budgetBytes, Runnable afterBatch) {
        this.batches = batches;
        this.budgetBytes = budgetBytes;
        this.afterBatch = afterBatch;
    }

    /**
     * One pass: on every batch, runs both nets (resumed from the kept frontier) up to before layer {@code layers},
     * showing the inputs the readers read to {@code inputs}, and keeps the frontier before layer {@code cut}
     * (at most {@code layers}, after the kept one) for the next pass.
     */
    void run(FloatEngine floatEngine, FixedPointNet fixed, Map<String, Integer> order, List<InputCapture.Reader> readers,
             int layers, int cut, Inputs inputs, IntConsumer progress) {
        Map<Integer, Frontier> made = new HashMap<>();
        long[] bytes = {0};
        Batches.Consumer batch = (data, n, first) -> {
            Frontier from = kept.batches().get(first);
            int keep = bytes[0] <= budgetBytes ? cut : -1; // none once the pass's frontier is over the budget
            InputCapture floatInputs = new InputCapture(order, readers);
            Map<String, float[]> floatsAtCut = runFloat(floatEngine, data, n, from, layers, keep, floatInputs);
            InputCapture deviceInputs = new InputCapture(order, readers);
            PassFrontier deviceAtCut;
            if (from == null) {
                deviceAtCut = fixed.forwardValuesFirst(data, n, layers, keep, deviceInputs::onValues);
            } else {
                deviceInputs.seed(from.device()::values);
                deviceAtCut = fixed.forwardValuesFirst(from.device(), layers, keep, deviceInputs::onValues);
            }
            if (keep >= 0) {
                Frontier frontier = new Frontier(floatsAtCut, deviceAtCut);
                bytes[0] += frontier.bytes();
                made.put(first, frontier);
                if (bytes[0] > budgetBytes) {
                    made.clear();
                }
            }
            inputs.accept(floatInputs, deviceInputs, n);
            afterBatch.run();
        };
        if (kept.batches().size() == batches.count()) {
            batches.runPositions(batch, progress); // data is null: every batch resumes
        } else {
            batches.run(batch, progress);
        }
        if (bytes[0] <= budgetBytes) {
            kept = new Kept(cut, made);
        }
    }

    /**
     * The float net's part of a batch: from the image or {@code from}, up to before layer {@code layers}; returns
     * the values live before layer {@code keep}, or null when it is negative.
     */
    private Map<String, float[]> runFloat(FloatEngine engine, float[] data, int n, Frontier from, int layers,
                                          int keep, InputCapture inputs) {
        Map<String, float[]> atKeep = null;
        try (FloatEngine.Pass pass = from == null ? engine.start(data, n)
                : engine.resume(from.floats(), n, kept.layer())) {
            if (from != null) {
                inputs.seed(from.floats()::get);
            }
            while (true) {
                if (pass.next() == keep) {
                    atKeep = pass.live();
                }
                if (pass.next() >= layers) {
                    return atKeep;
                }
                inputs.onOutput(pass.step(), pass.tops());
            }
        }
    }
}
