package xportdnn.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.SharedData;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Blob;
import xportdnn.model.Npy;
import xportdnn.model.Npz;

/**
 * One model's OpenCV reference ({@code reference/<model>/}): the fixed input and every layer's output, read
 * from {@code layers/<key>.npy} or the {@code layers.npz} archive (key = layer name with '/' as '__').
 */
final class ReferenceOutputs implements AutoCloseable {

    private final SharedData.Model model;
    private final Npz archive;

    ReferenceOutputs(SharedData.Model model) {
        this.model = model;
        Path npz = SharedData.root().resolve("reference/" + model.folder + "/layers.npz");
        this.archive = Files.exists(npz) ? Npz.open(npz) : null;
    }

    INDArray input() {
        return array(Npy.read(model.reference("input.npy")));
    }

    /** The names of the layers the reference holds an output for, in forward order (from layers.tsv). */
    List<String> layerNames() {
        try {
            List<String> rows = Files.readAllLines(model.reference("layers.tsv"));
            int column = List.of(rows.get(0).split("\t")).indexOf("layer");
            List<String> names = new ArrayList<>();
            for (String row : rows.subList(1, rows.size())) {
                names.add(row.split("\t")[column]);
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference output of layer {@code name}. */
    INDArray output(String name) {
        String key = name.replace("/", "__");
        return array(archive != null ? archive.read(key) : Npy.read(model.reference("layers/" + key + ".npy")));
    }

    static INDArray array(Blob blob) {
        return Tensors.of(blob.data(), java.util.Arrays.stream(blob.shape()).asLongStream().toArray());
    }

    /** {@code max |ours - reference| / max |reference|} (the plain max difference when the reference is all zero). */
    static double relativeError(INDArray ours, INDArray reference) {
        double diff = ours.castTo(reference.dataType()).sub(reference).amaxNumber().doubleValue();
        double scale = reference.amaxNumber().doubleValue();
        return scale == 0 ? diff : diff / scale;
    }

    @Override
    public void close() {
        if (archive != null) {
            archive.close();
        }
    }
}
