package xportdnn.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.model.ModelException;
import xportdnn.pipeline.CalibrationSettings;

/**
 * Everything one {@code compare} run needs.
 *
 * @param deployModel the float deploy prototxt
 * @param weights     its caffemodel
 * @param images      the labelled images to score (a folder, a val.txt-style list or an IDX file)
 * @param labels      IDX labels or class names for class-named folders, or null
 * @param count       score this many images drawn at random (seeded) instead of all, or null
 * @param seed        the seed of that draw
 * @param calibration the calibration images (their preprocessing serves the scored images too); when they are
 *                    the same set as {@code images}, the calibration images are not scored
 * @param schemes     the schemes to score, in order; at least one
 * @param batch       images per forward pass
 */
public record CompareSettings(Path deployModel, Path weights, String images, Path labels, Integer count, long seed,
                              CalibrationSettings calibration, List<SchemeSpec> schemes, int batch) {

    public CompareSettings {
        if (deployModel == null || weights == null || images == null) {
            throw new ModelException("compare needs --deploy_model, --weights and --images");
        }
        if (calibration == null) {
            throw new ModelException("missing --calibration_directory (the calibration images)");
        }
        if (schemes == null || schemes.isEmpty()) {
            throw new ModelException("missing --schemes (e.g. xilinx:8,naive:8)");
        }
        if (count != null && count < 1) {
            throw new ModelException("--count: " + count + " is not a positive number");
        }
        schemes = List.copyOf(schemes);
    }

    /** Whether the scored images and the calibration images come from one set (then the latter are left out). */
    public boolean sharesCalibrationSet() {
        return ImageStore.canonical(images).equals(ImageStore.canonical(calibration.images()));
    }

    /**
     * Every file the run reads, so that no output overwrites one.
     *
     * @param scoredSet      the scored images as the run opened them on this machine (its list not parsed again),
     *                       or null to list them here
     * @param calibrationSet the calibration images likewise (unused when they are the scored set's)
     */
    public List<Path> inputFiles(ImageSet scoredSet, ImageSet calibrationSet) {
        List<Path> inputs = new ArrayList<>(List.of(deployModel, weights));
        ImageStore.localPath(images).ifPresent(p -> inputs.addAll(ImageSet.files(p, scoredSet)));
        if (!sharesCalibrationSet()) { // one set: listed once
            ImageStore.localPath(calibration.images()).ifPresent(p -> inputs.addAll(ImageSet.files(p, calibrationSet)));
        }
        if (labels != null) {
            inputs.add(labels);
        }
        if (calibration.preprocessing().meanFile() != null) {
            inputs.add(calibration.preprocessing().meanFile());
        }
        return inputs;
    }
}
