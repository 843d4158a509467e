package xportdnn.spark;

import xportdnn.model.ModelException;

/**
 * Whether Apache Spark is on the classpath. It is a provided dependency: spark-submit brings it, the plain launcher
 * only with SPARK_HOME set. Checked by name, before any class that links to Spark is loaded.
 */
public final class SparkClasses {

    private SparkClasses() {
    }

    /** @throws ModelException saying how to run with Spark when its classes are missing */
    public static void require() {
        try {
            Class.forName("org.apache.spark.api.java.JavaSparkContext", false, SparkClasses.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ModelException("--spark: Apache Spark is not on the classpath; run xportdnn with spark-submit "
                    + "(spark-submit --class xportdnn.cli.Main target/xportdnn-0.1.0-SNAPSHOT-all.jar ...), or set "
                    + "SPARK_HOME to a Spark 4 installation for the ./xportdnn launcher");
        }
    }
}
