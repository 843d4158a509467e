package xportdnn.cli;

import java.util.function.Function;
import picocli.CommandLine.Option;
import xportdnn.model.ModelException;
import xportdnn.pipeline.FloatPasses;
import xportdnn.spark.SparkPasses;

/** {@code --spark MASTER}: the passes over the images run as Spark jobs instead of in this JVM. */
final class SparkOption {

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the float passes over the images on Apache "
            + "Spark: local[N] (N cores here), spark://HOST:PORT, yarn, k8s://... Same result as without. The "
            + "image sets may then be any path Spark reads (hdfs://, s3a://, file:///, a plain path on the default "
            + "file system): the executors read the images themselves. Needs Spark's classes: spark-submit, or "
            + "SPARK_HOME set for the ./xportdnn launcher.")
    String master;

    /** Runs {@code body} with the passes: on Spark when --spark is given (stopped after), else in this JVM. */
    <T> T run(Function<FloatPasses, T> body) {
        if (master == null) {
            return body.apply(FloatPasses.HERE);
        }
        requireSpark();
        return SparkPasses.run(master, body);
    }

    /**
     * Spark is a provided dependency: spark-submit brings it, the ./xportdnn launcher only with SPARK_HOME set.
     * Checked by name, before any class that links to Spark is loaded.
     */
    private static void requireSpark() {
        try {
            Class.forName("org.apache.spark.api.java.JavaSparkContext", false, SparkOption.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ModelException("--spark: Apache Spark is not on the classpath; run xportdnn with spark-submit "
                    + "(spark-submit --class xportdnn.cli.Main target/xportdnn-0.1.0-SNAPSHOT-all.jar ...), or set "
                    + "SPARK_HOME to a Spark 4 installation for the ./xportdnn launcher");
        }
    }
}
