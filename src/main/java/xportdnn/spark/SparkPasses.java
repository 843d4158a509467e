package xportdnn.spark;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.CalibrationHistograms;
import xportdnn.calib.ChannelStatistics;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Transformer;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.pipeline.FloatPasses;
import xportdnn.pipeline.ValidationJob;

/**
 * The float passes of calibration and validation as Spark jobs ({@code --spark MASTER}). The images are cut into
 * the batches one machine would run, the batches spread over partitions; the net and settings are broadcast once
 * per job, each partition builds its net once, and only statistics come back, merged on the driver exactly as one
 * machine merges them (see {@link CalibrationTasks}, {@link ValidationTasks}). Image sets are listed on the driver
 * and read by the executors through Hadoop's file systems ({@link HadoopImages}).
 */
public final class SparkPasses implements FloatPasses, AutoCloseable {

    /** How long {@link #close} waits for tasks still running to end. */
    private static final long TASK_END_WAIT_NANOS = 30_000_000_000L;

    private final JavaSparkContext context;
    private final HadoopImages store;

    private SparkPasses(JavaSparkContext context) {
        this.context = context;
        this.store = new HadoopImages(context.hadoopConfiguration());
    }

    /**
     * Connects to {@code master} ({@code local[N]}, {@code spark://host:port}, {@code yarn}, ...). Other settings
     * come from spark-submit or {@code spark.*} system properties; the web UI is off unless asked for.
     */
    private static SparkPasses start(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("xportdnn")
                .setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.ui.showConsoleProgress", "false");
        try {
            return new SparkPasses(new JavaSparkContext(conf));
        } catch (Exception e) {
            // a bad master URL is a SparkException, which Scala throws undeclared
            throw new ModelException("--spark " + master + ": cannot start Spark: " + firstLine(e));
        }
    }

    /** Runs {@code body} with the passes on {@code master}, and stops Spark after it. */
    public static <T> T run(String master, Function<FloatPasses, T> body) {
        try (SparkPasses spark = start(master)) {
            return body.apply(spark);
        }
    }

    /** Images are listed on the driver and read by the executors through Hadoop's file systems. */
    @Override
    public ImageStore imageStore() {
        return store;
    }

    /**
     * The images decoded by the executors, not the driver (which only lists them): a set larger than one machine
     * is screened as it is calibrated or scored.
     */
    @Override
    public BadImages.Screened screen(List<ImageSet.Entry> images, Transformer transformer, boolean skip) {
        if (!skip) {
            return BadImages.Screened.all(images);
        }
        String[] errors = new String[images.size()];
        List<ImageBatch> batches = ScreeningTasks.shipped(images, errors);
        HadoopImages reader = store;
        boolean color = transformer.settings().color();
        List<ScreeningTasks.Unreadable> found = batches.isEmpty() ? List.of() : collect(batches, n -> {
        }, () -> partitioned(batches).mapPartitions(part ->
                InjectedFailure.after(ScreeningTasks.unreadable(reader, color, part))).collect());
        return ScreeningTasks.merge(images, errors, found);
    }

    @Override
    public CalibrationHistograms calibrate(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                           int batch, IntConsumer progress) {
        List<ImageBatch> batches = ImageBatch.cut(images, batch);
        Broadcast<CalibrationTasks.Job> job = context.broadcast(
                new CalibrationTasks.Job(ShippedNet.of(net), transformer.settings(), batch, store));
        try {
            JavaRDD<ImageBatch> rdd = partitioned(batches);
            Map<String, ActivationRange> ranges = CalibrationTasks.mergeRanges(collect(batches, progress, () ->
                    rdd.mapPartitions(part -> InjectedFailure.after(CalibrationTasks.ranges(job, part))).collect()));
            return histograms(job, rdd, batches, ranges, progress);
        } finally {
            job.destroy();
        }
    }

    @Override
    public CalibrationHistograms histograms(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                            int batch, Map<String, ActivationRange> ranges,
                                            IntConsumer progress) {
        List<ImageBatch> batches = ImageBatch.cut(images, batch);
        Broadcast<CalibrationTasks.Job> job = context.broadcast(
                new CalibrationTasks.Job(ShippedNet.of(net), transformer.settings(), batch, store));
        try {
            return histograms(job, partitioned(batches), batches, ranges, progress);
        } finally {
            job.destroy();
        }
    }

    private CalibrationHistograms histograms(Broadcast<CalibrationTasks.Job> job, JavaRDD<ImageBatch> rdd,
                                             List<ImageBatch> batches, Map<String, ActivationRange> ranges,
                                             IntConsumer progress) {
        Broadcast<Map<String, ActivationRange>> shared = context.broadcast(ranges);
        try {
            return CalibrationTasks.mergeHistograms(ranges, collect(batches, progress, () ->
                    rdd.mapPartitions(part -> InjectedFailure.after(CalibrationTasks.histograms(job, shared, part))).collect()));
        } finally {
            shared.destroy();
        }
    }

    @Override
    public Map<String, ChannelStatistics> channelStatistics(Net net, List<ImageSet.Entry> images,
                                                            Transformer transformer, int batch, Set<String> layers,
                                                            IntConsumer progress) {
        List<ImageBatch> batches = ImageBatch.cut(images, batch);
        Broadcast<CalibrationTasks.Job> job = context.broadcast(
                new CalibrationTasks.Job(ShippedNet.of(net), transformer.settings(), batch, store));
        Set<String> names = Set.copyOf(layers);
        try {
            JavaRDD<ImageBatch> rdd = partitioned(batches);
            Map<String, float[]> maxima = CalibrationTasks.mergeMaxima(collect(batches, progress, () ->
                    rdd.mapPartitions(part -> InjectedFailure.after(CalibrationTasks.channelMaxima(job, names, part)))
                            .collect()));
            Broadcast<Map<String, float[]>> shared = context.broadcast(maxima);
            try {
                return CalibrationTasks.mergeChannels(maxima, collect(batches, progress, () -> rdd.mapPartitions(part ->
                        InjectedFailure.after(CalibrationTasks.channelHistograms(job, shared, part))).collect()));
            } finally {
                shared.destroy();
            }
        } finally {
            job.destroy();
        }
    }

    @Override
    public Validated validate(ValidationJob validation, List<ImageSet.Entry> images, IntConsumer progress) {
        List<ImageBatch> batches = ImageBatch.cut(images, validation.batch());
        Broadcast<ValidationTasks.Job> job = context.broadcast(ValidationTasks.Job.of(validation, store));
        try {
            JavaRDD<ImageBatch> rdd = partitioned(batches);
            return ValidationTasks.merge(collect(batches, progress, () ->
                    rdd.mapPartitions(part -> InjectedFailure.after(ValidationTasks.validate(job, part))).collect()));
        } finally {
            job.destroy();
        }
    }

    /** The batches over as many partitions as the cluster runs tasks at once (each partition builds one net). */
    private JavaRDD<ImageBatch> partitioned(List<ImageBatch> batches) {
        return context.parallelize(batches, slices(batches));
    }

    private int slices(List<ImageBatch> batches) {
        return Math.max(1, Math.min(batches.size(), context.defaultParallelism()));
    }

    /**
     * Runs a job, reporting each finished partition's images; a failed job (an unreadable image, a lost cluster)
     * becomes one line: the task's own error when it has one (it names the image), else Spark's.
     */
    private <T> List<T> collect(List<ImageBatch> batches, IntConsumer progress, Supplier<List<T>> job) {
        TaskProgress listener = new TaskProgress(batches, slices(batches), progress);
        context.sc().addSparkListener(listener);
        try {
            return job.get();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ModelException m) {
                    throw new ModelException(m.getMessage());
                }
            }
            if (e instanceof SparkException || e.getCause() instanceof SparkException) {
                throw new ModelException("--spark: the Spark job failed: " + firstLine(e));
            }
            throw e;
        } finally {
            context.sc().removeSparkListener(listener);
        }
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * Stops Spark once no task runs any more. After a failed job the other partitions' tasks may still be running;
     * stopping under them makes Spark print a stack trace when their results arrive at a pool already shut down.
     * They stop at their next batch ({@link ImageBatch#entries}); the wait is bounded all the same.
     */
    @Override
    public void close() {
        context.cancelAllJobs();
        long deadline = System.nanoTime() + TASK_END_WAIT_NANOS;
        while (runningTasks() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        context.close();
    }

    private int runningTasks() {
        return Arrays.stream(context.sc().statusTracker().getExecutorInfos()).mapToInt(SparkExecutorInfo::numRunningTasks)
                .sum();
    }
}
