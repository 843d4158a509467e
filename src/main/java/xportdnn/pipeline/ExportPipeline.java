package xportdnn.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xportdnn.export.PrototxtWriter;
import xportdnn.model.OutputFile;
import xportdnn.model.OutputPlan;

/**
 * The export, whatever the scheme: load (and fold) -> calibrate when the scheme needs it -> choose precisions and
 * build the quantized net -> write every output, all or nothing. Output paths are checked before the long work.
 */
public final class ExportPipeline {

    /**
     * What a run did.
     *
     * @param summary one line for the user, e.g. "calibrated on 8 images (kl-j); wrote 12 Xilinx precision_param
     *                blocks (bitwidths 8,8,8) to net_q.prototxt"
     * @param notices notes and warnings, in order
     */
    public record Outcome(String summary, List<Notice> notices) {
    }

    private ExportPipeline() {
    }

    public static Outcome run(ExportSettings settings, Progress progress) {
        OutputPlan outputs = new OutputPlan(settings.inputFiles())
                .add("--quantized_deploy_model", settings.quantizedDeployModel())
                .add("--quantized_weights", settings.quantizedWeights())
                .add("--report", settings.report());
        ExportScheme scheme = settings.scheme();
        LoadedNet loaded = LoadedNet.load(settings.deployModel(), settings.weights(), settings.fuseBn());
        Calibration calibration = scheme.calibrates()
                ? Calibration.run(loaded.net(), settings.calibration(), progress) : null;
        ExportScheme.Exported exported = scheme.export(loaded.net(), calibration);

        Map<Path, OutputFile.Body> files = new LinkedHashMap<>();
        String prototxt = PrototxtWriter.print(exported.net());
        files.put(settings.quantizedDeployModel(), out -> out.write(OutputFile.utf8(prototxt)));
        if (loaded.folded() != null) {
            byte[] caffemodel = loaded.folded().weights().toByteArray();
            files.put(settings.quantizedWeights(), out -> out.write(caffemodel));
        }
        if (exported.report() != null) {
            files.put(settings.report(), out -> out.write(OutputFile.utf8(exported.report())));
        }
        outputs.write(files);

        List<Notice> notices = new ArrayList<>(exported.notices());
        if (loaded.folded() != null && !loaded.folded().folded().isEmpty()) {
            notices.add(Notice.note("folded into convolutions: " + loaded.folded().folded()));
        }
        return new Outcome(exported.summary() + " to " + settings.quantizedDeployModel() + (loaded.folded() != null
                ? " and the folded weights to " + settings.quantizedWeights() : ""), notices);
    }
}
