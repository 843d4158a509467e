package xportdnn.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.PreprocessingFlags;
import xportdnn.model.ModelException;

/**
 * Everything a validation run needs: the quantized net, the labelled images and which of them to score, their
 * preprocessing, and what to measure.
 *
 * @param deployModel       the quantized prototxt
 * @param weights           its caffemodel
 * @param images            a folder, a val.txt-style list or an IDX file: a local path, or with {@code --spark}
 *                          any location Hadoop reads (a URI)
 * @param labels            IDX labels or class names for class-named folders, or null
 * @param count             score this many images drawn at random (seeded), or null for all
 * @param seed              the seed of that draw
 * @param excludedDraw      the calibration draw whose images are left out (size and seed as the export used on
 *                          this set), or null to leave none out
 * @param batch             images per forward pass
 * @param preprocessing     the caffe.io.Transformer flags
 * @param blob              the class-score blob, or null for the net's last output
 * @param layerCost         also measure each fixed-point output's cost alone
 * @param floatModel        the float net to compare with, or null for the quantized net's own prototxt and
 *                          weights run in float (give the original net when the weights are folded or tuned)
 * @param floatWeights      its caffemodel (with {@code floatModel})
 * @param floatLayers       device layers to simulate in float (analysis: not what the device runs), or empty
 * @param skipBadImages     take the chosen images that cannot be read out, with a warning each
 *                          (--skip_bad_images), instead of failing on the first
 */
public record ValidationSettings(Path deployModel, Path weights, String images, Path labels, Integer count, long seed,
                                 Draw excludedDraw, int batch, PreprocessingFlags preprocessing, String blob,
                                 boolean layerCost, Path floatModel, Path floatWeights,
                                 Set<String> floatLayers, boolean skipBadImages) {

    /** The images calibration took: exactly {@code indices} when given, else a seeded draw of {@code size}. */
    public record Draw(int size, long seed, int[] indices) {

        public Draw(int size, long seed) {
            this(size, seed, null);
        }
    }

    public ValidationSettings {
        if (deployModel == null || weights == null || images == null) {
            throw new ModelException("validate needs --deploy_model, --weights and --images");
        }
        if ((floatModel == null) != (floatWeights == null)) {
            throw new ModelException("--float_model and --float_weights go together");
        }
        if (batch < 1) {
            throw new ModelException("--batch: " + batch + " is not a positive number");
        }
        if (count != null && count < 1) {
            throw new ModelException("--count: " + count + " is not a positive number");
        }
        preprocessing = preprocessing == null ? PreprocessingFlags.defaults() : preprocessing;
        floatLayers = floatLayers == null ? Set.of() : Set.copyOf(floatLayers);
    }

    /** Failing on the first image that cannot be read. */
    public ValidationSettings(Path deployModel, Path weights, String images, Path labels, Integer count, long seed,
                              Draw excludedDraw, int batch, PreprocessingFlags preprocessing, String blob,
                              boolean layerCost, Path floatModel, Path floatWeights, Set<String> floatLayers) {
        this(deployModel, weights, images, labels, count, seed, excludedDraw, batch, preprocessing, blob, layerCost,
                floatModel, floatWeights, floatLayers, false);
    }

    /**
     * Every file the run reads, so that no output overwrites one.
     *
     * @param scoredSet the images as the run opened them on this machine (its list not parsed again), or null to
     *                  list them here
     */
    public List<Path> inputFiles(ImageSet scoredSet) {
        List<Path> inputs = new ArrayList<>(List.of(deployModel, Sidecar.beside(deployModel), weights));
        ImageStore.localPath(images).ifPresent(p -> inputs.addAll(ImageSet.files(p, scoredSet)));
        if (labels != null) {
            inputs.add(labels);
        }
        if (preprocessing.meanFile() != null) {
            inputs.add(preprocessing.meanFile());
        }
        if (floatModel != null) {
            inputs.add(floatModel);
            inputs.add(floatWeights);
        }
        return inputs;
    }
}
