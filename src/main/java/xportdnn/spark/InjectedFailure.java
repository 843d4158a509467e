package xportdnn.spark;

import java.util.Iterator;
import org.apache.spark.TaskContext;

/**
 * A test's way to lose a task after it has done its work (SparkCliTest): with the system property
 * {@value #PROPERTY} set to a partition number P, the first attempt of each task of partition P throws instead of
 * returning its results, so Spark retries it when it may (e.g. {@code local[2,2]}: two attempts per task) and
 * fails the job when it may not. Unset (as always outside that test) it does nothing.
 */
final class InjectedFailure {

    static final String PROPERTY = "xportdnn.spark.failFirstAttemptOf";

    private InjectedFailure() {
    }

    /** A task's results, unless this is the first attempt of the partition the property names. */
    static <T> Iterator<T> after(Iterator<T> results) {
        String partition = System.getProperty(PROPERTY);
        TaskContext task = TaskContext.get();
        if (partition != null && task.partitionId() == Integer.parseInt(partition) && task.attemptNumber() == 0) {
            throw new IllegalStateException("injected failure of partition " + partition + "'s first attempt ("
                    + PROPERTY + ")");
        }
        return results;
    }
}
