package xportdnn.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.Blob;
import xportdnn.model.Npy;
import xportdnn.quant.KlJThreshold;
import xportdnn.quant.LayerReport;
import xportdnn.quant.ThresholdMethod;

/** {@code xportdnn threshold}: the activation threshold one method gives one array, e.g. a dumped blob. */
@Command(name = "threshold", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints the threshold a method chooses for the values of one .npy array (e.g. a layer "
                + "output written by 'infer --dump'), then max |x| and the fraction of values it clips.")
final class ThresholdCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "kl-j",
            description = "kl-j, kl, max, mse, percentile:P, aciq-laplace or aciq-gauss. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--bitwidth", paramLabel = "B", defaultValue = "8",
            description = "Bits of the quantized values. Default: ${DEFAULT-VALUE}.")
    int bitwidth;

    @Option(names = "--input", paramLabel = "X.npy", required = true, description = "The array.")
    Path input;

    @Override
    public Integer call() {
        ThresholdMethod m = ThresholdMethod.parse(method, "--method");
        if (bitwidth < 2 || bitwidth > 32) {
            throw new xportdnn.model.ModelException("--bitwidth: " + bitwidth + " is not in 2..32");
        }
        Blob blob = Npy.read(input);
        if (blob.count() == 0) { // else every method "chooses" 0, which CHaiDNN divides by
            throw new xportdnn.model.ModelException(input + ": the array (" + Blob.describe(blob.shape())
                    + ") holds no values: no threshold to choose");
        }
        ActivationRange range = new ActivationRange();
        range.add(blob.data(), 0, blob.count());
        BlobHistograms stats = new BlobHistograms(range, KlJThreshold.binCount(range));
        stats.add(blob.data(), 0, blob.count());
        double th = m.threshold(stats, bitwidth);
        spec.commandLine().getOut().printf(Locale.ROOT, "%.9g%n# method %s, %d bits, %d values, max |x| %.9g, "
                + "clipped %.6f%%%n", th, m.name(), bitwidth, blob.count(), range.maxAbs(),
                100 * LayerReport.fractionAbove(stats, th));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
