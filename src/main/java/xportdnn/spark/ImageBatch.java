package xportdnn.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import xportdnn.data.ImageSet;

/**
 * One forward pass's images, cut as the run on one machine cuts them ({@code batch} at a time, in order), so that
 * every image meets the same batch neighbours and the float engine gives the same values to the bit.
 *
 * @param index  the batch's position in the run
 * @param images its images
 */
record ImageBatch(int index, List<ShippedImage> images) implements Serializable {

    static List<ImageBatch> cut(List<ImageSet.Entry> entries, int batch) {
        List<ImageBatch> batches = new ArrayList<>();
        for (int start = 0; start < entries.size(); start += batch) {
            batches.add(new ImageBatch(batches.size(), entries.subList(start, Math.min(entries.size(), start + batch))
                    .stream().map(ShippedImage::of).toList()));
        }
        return batches;
    }

    /**
     * The batch's entries on an executor, read through {@code store}. A task Spark has killed (its job failed on
     * another partition) stops here, before its next batch, instead of running its partition to the end.
     */
    List<ImageSet.Entry> entries(HadoopImages store) {
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.killTaskIfInterrupted();
        }
        return images.stream().map(i -> i.entry(store)).toList();
    }
}
