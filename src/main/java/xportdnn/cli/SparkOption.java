package xportdnn.cli;

import java.util.function.Function;
import picocli.CommandLine.Option;
import xportdnn.pipeline.FloatPasses;
import xportdnn.spark.SparkClasses;
import xportdnn.spark.SparkPasses;

/** {@code --spark MASTER}: the passes over the images run as Spark jobs instead of in this JVM. */
final class SparkOption {

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the float passes over the images on Apache "
            + "Spark: local[N] (N cores here), spark://HOST:PORT, yarn, k8s://... Same result as without. Needs "
            + "Spark's classes: spark-submit, or SPARK_HOME set for the ./xportdnn launcher.")
    String master;

    /** Runs {@code body} with the passes: on Spark when --spark is given (stopped after), else in this JVM. */
    <T> T run(Function<FloatPasses, T> body) {
        if (master == null) {
            return body.apply(FloatPasses.HERE);
        }
        SparkClasses.require();
        return SparkPasses.run(master, body);
    }
}
