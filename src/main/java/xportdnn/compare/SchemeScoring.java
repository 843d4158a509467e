package xportdnn.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.calib.ChannelStatistics;
import xportdnn.data.ImageSet;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.pipeline.Calibration;
import xportdnn.pipeline.ClassScoreStepCheck;
import xportdnn.pipeline.ExportScheme;
import xportdnn.pipeline.FloatPasses;
import xportdnn.pipeline.Notice;
import xportdnn.pipeline.ValidationJob;
import xportdnn.sim.FixedPointNet;
import xportdnn.validate.FloatReference;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;

/**
 * Scores one scheme after another on what the comparison prepared once. Each scheme's quantized net and simulator
 * live only in {@link #score}'s frame and nothing it returns refers to them: by the time the next scheme builds its
 * own, they are unreachable, and the simulator's native copies of weights (CHaiDNN's modes keep VGG-16's
 * InnerProducts as 494 MB of floats in its ops) are freed ({@link FixedPointNet#close}).
 *
 * @param net           the float net, BatchNorm/Scale folded
 * @param convolutional its InnerProducts as convolutions, for the schemes that quantize them; null if none does
 * @param channels      per layer, the per-channel statistics of its output (bfp's)
 * @param floatNet      the float net's engine, the reference every scheme is scored against
 * @param output        the output scored, and how
 * @param toldOnce      the notices of the net itself, told once and not again per scheme
 * @param reference     the float net's scores on {@code images}, computed once, or null to run the float net beside
 *                      each scheme's simulator ({@code passes} elsewhere than in this JVM, or too large to keep)
 */
record SchemeScoring(Net net, InnerProductConvolutions convolutional, Calibration calibration,
                     Map<String, ChannelStatistics> channels, FloatEngine floatNet, Transformer transformer,
                     ScoredOutput output, int batch, FloatPasses passes, List<ImageSet.Entry> images, Progress progress,
                     Set<String> toldOnce, FloatReference reference) {

    /** {@code spec} quantized, simulated and scored; its warnings, prefixed by its label, added to {@code notices}. */
    Comparison.Scored score(SchemeSpec spec, List<Notice> notices) {
        try (Progress.Step step = progress.start("scoring " + spec.label(), images.size())) {
            // the literature's schemes quantize InnerProduct layers, as convolutions; CHaiDNN's keep them float
            boolean fc = convolutional != null && spec.quantizesInnerProducts();
            Net schemeNet = fc ? convolutional.net() : net;
            Set<String> fullyConnected = fc ? convolutional.rewritten() : Set.of();
            ExportScheme.Exported exported = SchemeNets.quantize(spec, schemeNet, calibration, fullyConnected);
            Net quantized = NetLoader.buildSharing(exported.net(), schemeNet.weights());
            List<Notice> warnings = new ArrayList<>(exported.notices());
            if (spec.family() == SchemeSpec.Family.XILINX || spec.family() == SchemeSpec.Family.DYNAMICFIXED) {
                warnings.addAll(ClassScoreStepCheck.of(calibration, net, quantized)); // as the export warns
            }
            warnings.stream().filter(n -> n.warning() && !toldOnce.contains(n.text()))
                    .forEach(n -> notices.add(Notice.warning(spec.label() + ": " + n.text())));
            try (FixedPointNet sim = SchemeNets.simulator(spec, quantized, channels)) {
                ValidationJob job = new ValidationJob(floatNet, sim, transformer, output, batch, false);
                Validation validation = reference != null ? job.validator().run(images, reference, step)
                        : passes.validate(job, images, step).validation();
                return new Comparison.Scored(spec.label(), validation,
                        ModelBytes.of(quantized, spec.family(), sim, fullyConnected), ModelBytes.footprint(sim, spec));
            }
        }
    }
}
