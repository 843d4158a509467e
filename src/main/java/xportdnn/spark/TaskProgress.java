package xportdnn.spark;

import java.util.List;
import java.util.function.IntConsumer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Reports a job's progress on the driver: a partition's images when its task succeeds. Only the bar counts this
 * way; the statistics come from the tasks' results.
 */
final class TaskProgress extends SparkListener {

    private final int[] images;
    private final IntConsumer progress;

    /** {@code slices} partitions of {@code batches}, cut as {@code parallelize} cuts a list. */
    TaskProgress(List<ImageBatch> batches, int slices, IntConsumer progress) {
        this.images = new int[slices];
        this.progress = progress;
        for (int i = 0; i < slices; i++) {
            int start = (int) ((long) i * batches.size() / slices);
            int end = (int) ((long) (i + 1) * batches.size() / slices);
            for (ImageBatch b : batches.subList(start, end)) {
                images[i] += b.images().size();
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        int partition = end.taskInfo().index();
        if (end.taskInfo().successful() && partition < images.length) {
            progress.accept(images[partition]);
        }
    }
}
