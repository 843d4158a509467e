package xportdnn.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import xportdnn.model.FileDigest;
import xportdnn.model.ModelException;

/**
 * Whether the caffemodel given to {@code validate} with a quantized prototxt is the one the export wrote beside it
 * ({@code --quantized_weights}, recorded in the sidecar): the prototxt's formats were chosen for those weights
 * (folded, tuned or equalized), so the original caffemodel is refused and any other one is warned about. Without a
 * sidecar, or when the export wrote no weights, there is nothing to check.
 */
public final class SidecarWeights {

    private SidecarWeights() {
    }

    /**
     * The warning to print (none when the weights are the written ones); throws on the export's own input.
     *
     * @param lookup the sidecar of the quantized prototxt
     */
    public static List<Notice> check(Sidecar.Lookup lookup, Path weights) {
        if (!lookup.found() || lookup.sidecar().quantizedWeights() == null || weights == null
                || !Files.isRegularFile(weights)) {
            return List.of();
        }
        Sidecar sidecar = lookup.sidecar();
        Sidecar.DigestedFile written = sidecar.quantizedWeights();
        String digest = FileDigest.of(weights);
        if (digest.equals(written.sha256())) {
            return List.of();
        }
        String made = " (" + howMade(sidecar) + ", " + written.path() + ")";
        Path prototxt = lookup.prototxt().getFileName();
        boolean exportInput = sidecar.inputs() != null && sidecar.inputs().stream()
                .anyMatch(f -> "--weights".equals(f.flag()) && digest.equals(f.sha256()));
        if (exportInput) {
            throw new ModelException(weights + ": the caffemodel the export read, but " + prototxt
                    + " belongs with the one it wrote" + made + ", for which its formats were chosen: give --weights "
                    + written.path() + " (and --float_model/--float_weights the original net, as the float reference)");
        }
        return List.of(Notice.warning(weights + " is not the caffemodel the export wrote with " + prototxt + made
                + ": its SHA-256 differs, and the prototxt's formats were chosen for the written weights"));
    }

    private static String howMade(Sidecar sidecar) {
        List<String> ways = new ArrayList<>();
        if (sidecar.fuseBn()) {
            ways.add("BatchNorm folded");
        }
        if (sidecar.equalize()) {
            ways.add("equalized");
        }
        if (sidecar.fastFinetune()) {
            ways.add("fine-tuned");
        }
        return ways.isEmpty() ? "written by the export" : String.join(", ", ways);
    }
}
