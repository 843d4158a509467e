package xportdnn.model;

import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * What a run of a net at a given batch size needs for its layer outputs, checked against what the process may
 * have before anything is allocated: the engines keep every layer's own output array from one pass to the next,
 * so a net with one absurd shape (a {@code pad: 1000}) would otherwise run until the machine kills it.
 */
public final class OutputMemory {

    private OutputMemory() {
    }

    /**
     * Refuses the run when the outputs of all layers at {@code batch} images, {@code bytesPerValue} each, need
     * more than {@code budgetBytes}; the message names the largest layer, its output shape and the bytes.
     *
     * @param budgetWhat what the budget is, for the message (e.g. "the native memory ND4J may use")
     */
    public static void check(Net net, int batch, int bytesPerValue, long budgetBytes, String budgetWhat) {
        check(net, batch, bytesPerValue, layer -> 0, budgetBytes, budgetWhat);
    }

    /**
     * The same, counting beside every layer's outputs its workspace: the values per image its computation allocates
     * besides them (copies it keeps, scratch while it runs), which the message states apart.
     */
    public static void check(Net net, int batch, int bytesPerValue, ToLongFunction<Layer> workspaceValuesPerImage,
            long budgetBytes, String budgetWhat) {
        Need need = Need.of(net, batch, bytesPerValue, workspaceValuesPerImage);
        if (need.exceeds(budgetBytes)) {
            throw ModelException.inLayer(need.largestLayer.name(), "its output " + Blob.describe(need.largestShape)
                    + " (batch " + batch + ") needs " + bytes(need.largest) + "; all layer outputs need "
                    + bytes(Math.max(need.total, need.largest))
                    + (need.workspace > 0 ? " and their computation " + bytes(need.workspace)
                            + " more (copies, scratch)" : "")
                    + ", more than the " + bytes(budgetBytes) + " of " + budgetWhat
                    + " (check the layer's pad/kernel/stride and the input size, or use a smaller batch)");
        }
    }

    /** Whether {@link #check} lets a run at {@code batch} through. */
    public static boolean fits(Net net, int batch, int bytesPerValue, ToLongFunction<Layer> workspaceValuesPerImage,
                               long budgetBytes) {
        return !Need.of(net, batch, bytesPerValue, workspaceValuesPerImage).exceeds(budgetBytes);
    }

    /**
     * What a run at one batch size needs, in bytes (doubles: no overflow on absurd shapes).
     *
     * @param total        all layers' outputs (an in-place layer's counted once, at its producer)
     * @param workspace    their computation's values besides the outputs
     * @param largest      the largest single output, or -1 for a net without layers
     * @param largestLayer the layer writing it
     * @param largestShape its shape at the batch
     */
    private record Need(double total, double workspace, double largest, Layer largestLayer, int[] largestShape) {

        static Need of(Net net, int batch, int bytesPerValue, ToLongFunction<Layer> workspaceValuesPerImage) {
            double total = 0;
            double workspace = 0;
            double largest = -1;
            Layer largestLayer = null;
            int[] largestShape = null;
            for (Layer layer : net.layers()) {
                for (int[] shape : layer.topShapes()) {
                    int[] atBatch = shape.clone();
                    if (atBatch.length > 0) {
                        atBatch[0] = batch;
                    }
                    double bytes = (double) Blob.count(atBatch) * bytesPerValue;
                    if (bytes > largest) {
                        largest = bytes;
                        largestLayer = layer;
                        largestShape = atBatch;
                    }
                    if (!layer.inPlace()) {
                        total += bytes;
                    }
                }
                workspace += (double) workspaceValuesPerImage.applyAsLong(layer) * batch * bytesPerValue;
            }
            return new Need(total, workspace, largest, largestLayer, largestShape);
        }

        boolean exceeds(long budgetBytes) {
            return largestLayer != null && (total + workspace > budgetBytes || largest > budgetBytes);
        }
    }

    /** A byte count for people: "3.8 GB", "512 MB", "12 kB" (decimal units). */
    public static String bytes(double n) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
        int u = 0;
        while (n >= 1000 && u < units.length - 1) {
            n /= 1000;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f bytes", n) : String.format(Locale.ROOT, "%.1f %s", n, units[u]);
    }
}
