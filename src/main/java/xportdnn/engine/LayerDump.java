package xportdnn.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;
import xportdnn.model.Npy;

/**
 * Writes every layer's own output, as the engine computes it, to {@code <folder>/<key>.npy} (float32, batch first)
 * with the naming of the reference outputs: key = layer name with '/' replaced by '__'. An in-place layer's file
 * holds that layer's output, its producer's file the value before it; the Input layer's file is the input blob. A
 * layer with several tops writes its first as {@code <key>.npy} and top t (t >= 1) as {@code <key>.<t>.npy}.
 */
public final class LayerDump implements LayerObserver {

    private final Path folder;
    private final Collection<Path> inputs;
    private final List<Path> written = new ArrayList<>();

    /** Creates {@code folder} if missing; no file in it may be one of {@code inputs}. */
    public LayerDump(Path folder, Collection<Path> inputs) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw IoErrors.cannot("create the dump folder", folder, e);
        }
        this.folder = folder;
        this.inputs = List.copyOf(inputs);
    }

    /** The file name key of a layer: its name with '/' (a path separator) replaced by '__'. */
    public static String key(String layerName) {
        return layerName.replace("/", "__");
    }

    @Override
    public void onOutput(Layer layer, List<INDArray> tops) {
        for (int t = 0; t < tops.size(); t++) {
            Path file = folder.resolve(key(layer.name()) + (t == 0 ? "" : "." + t) + ".npy");
            Npy.write(blob(tops.get(t)), file, inputs);
            written.add(file);
        }
    }

    /** The files written so far, in forward order. */
    public List<Path> written() {
        return List.copyOf(written);
    }

    private static Blob blob(INDArray a) {
        long[] shape = a.shape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        return new Blob(dims, Tensors.floats(a));
    }
}
