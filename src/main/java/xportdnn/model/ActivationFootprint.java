package xportdnn.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The activation memory one image needs (algorithms.md G, nnabla): layers run in net order, each blob's buffer is
 * allocated when it is first written and freed once its last reader has run (in-place layers reuse it; the net's
 * outputs are kept to the end). The footprint is the peak, over the layers, of the bytes live while a layer runs:
 * its inputs, its outputs and every buffer a later layer still reads.
 */
public final class ActivationFootprint {

    /**
     * One layer as it runs.
     *
     * @param layer       its name
     * @param outputBytes the bytes of the buffers it allocates (0 for an in-place layer)
     * @param liveBytes   the bytes live while it runs
     */
    public record Step(String layer, long outputBytes, long liveBytes) {
    }

    /** Every layer's step, in net order, and the peak of their live bytes. */
    public record Result(List<Step> steps, long peakBytes) {
    }

    private ActivationFootprint() {
    }

    /**
     * @param bits the bits one value of a blob takes, by blob name (e.g. 32 for float, 8 for 8-bit codes)
     */
    public static Result of(Net net, ToIntFunction<String> bits) {
        List<Layer> layers = net.layers();
        Map<String, Integer> lastRead = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (String b : layers.get(i).bottoms()) {
                lastRead.put(b, i);
            }
        }
        Set<String> outputs = new HashSet<>(net.outputBlobs());
        Map<String, Long> live = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>();
        long peak = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            long allocated = 0;
            for (String t : l.tops()) {
                if (!live.containsKey(t)) {
                    long bytes = bytesPerImage(net.shape(t), bits.applyAsInt(t));
                    live.put(t, bytes);
                    allocated += bytes;
                }
            }
            long now = live.values().stream().mapToLong(Long::longValue).sum();
            steps.add(new Step(l.name(), allocated, now));
            peak = Math.max(peak, now);
            for (String b : l.bottoms()) {
                if (lastRead.get(b) == i && !outputs.contains(b)) {
                    live.remove(b);
                }
            }
        }
        return new Result(steps, peak);
    }

    /** The bytes of one image's slice of a blob (its first axis is the batch), rounded up to whole bytes. */
    static long bytesPerImage(int[] shape, int bits) {
        long values = Blob.count(shape);
        if (shape.length > 0 && shape[0] > 0) {
            values /= shape[0];
        }
        return (values * bits + 7) / 8;
    }
}
