package xportdnn.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --deploy_model} and {@code --weights} of the commands that run a net (infer, validate, bench). */
final class ModelFiles {

    @Option(names = "--deploy_model", required = true, paramLabel = "PROTOTXT",
            description = "The deploy prototxt (float, or quantized for validate and bench --mode fixed).")
    Path deployModel;

    @Option(names = "--weights", required = true, paramLabel = "CAFFEMODEL", description = "Its caffemodel.")
    Path weights;
}
