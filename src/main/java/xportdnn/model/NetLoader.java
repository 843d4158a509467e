package xportdnn.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.InputParameter;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * Loads a deploy net: parses the prototxt strictly, upgrades it to the current format, keeps the TEST-phase
 * layers, infers every blob's shape, and (given a caffemodel) attaches each layer's weights matched by layer name
 * after checking their count and shapes. Caffemodel layers the deploy net lacks (Data, loss, Accuracy, splits)
 * are ignored.
 */
public final class NetLoader {

    private NetLoader() {
    }

    /** The net of {@code prototxt} with the weights of {@code caffemodel}, or without weights when it is null. */
    public static Net load(Path prototxt, Path caffemodel) {
        NetParameter definition = PrototxtReader.read(prototxt);
        NetParameter stored = caffemodel == null ? null : CaffemodelReader.read(caffemodel);
        return assemble(definition, prototxt, stored, caffemodel);
    }

    /** The same from messages already in memory (nets built in code); error messages name no file. */
    public static Net build(NetParameter definition, NetParameter caffemodelOrNull) {
        return assemble(definition, null, caffemodelOrNull, null);
    }

    /**
     * The net of {@code definition} with the weights of {@code weights} (by layer name, e.g. {@link Net#weights()}
     * of a net whose definition this one annotates or rewrites), shared, not copied: a net of VGG-16's size holds
     * 553 MB of them. Each layer's are checked against the shapes the definition implies, as a caffemodel's are.
     */
    public static Net buildSharing(NetParameter definition, Map<String, List<Blob>> weights) {
        Inferred inferred = infer(definition, null);
        return inferred.net((layer, expected) -> WeightBinder.share(layer, expected, weights.get(layer.getName())));
    }

    private static Net assemble(NetParameter definition, Path definitionFile, NetParameter stored, Path storedFile) {
        Inferred inferred = infer(definition, definitionFile);
        if (stored == null) {
            return inferred.net(null);
        }
        Map<String, LayerParameter> storedLayers = storedLayers(inferred.deploy(), stored, storedFile);
        return inferred.net((layer, expected) -> {
            try {
                return WeightBinder.bind(layer, expected, storedLayers.get(layer.getName()));
            } catch (ModelException e) {
                throw inFile(e, storedFile);
            }
        });
    }

    /** A layer's weights, given the shapes its definition implies for them. */
    private interface WeightSource {
        List<Blob> weights(LayerParameter layer, List<int[]> expected);
    }

    /** A deploy definition with its blobs' shapes inferred, per layer its tops' shapes. */
    private record Inferred(NetParameter deploy, Map<String, int[]> blobShapes, List<List<int[]>> topShapes) {

        /** The net, its layers' weights from {@code source} (none when it is null). */
        Net net(WeightSource source) {
            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i < deploy.getLayerCount(); i++) {
                LayerParameter layer = deploy.getLayer(i);
                List<Blob> weights = source == null ? List.of()
                        : source.weights(layer, ParameterShapes.of(layer, shapesOf(layer.getBottomList(), blobShapes)));
                layers.add(new Layer(layer, weights, List.copyOf(topShapes.get(i))));
            }
            return new Net(deploy, layers, blobShapes);
        }
    }

    private static Inferred infer(NetParameter definition, Path definitionFile) {
        NetParameter deploy;
        Map<String, int[]> blobShapes = new LinkedHashMap<>();
        List<List<int[]>> topShapes = new ArrayList<>();
        try {
            deploy = withoutBlobs(PhaseFilter.testPhase(NetUpgrade.upgrade(definition)));
            if (deploy.getLayerCount() == 0) {
                throw new ModelException("the net has no layers");
            }
            List<LayerParameter> all = deploy.getLayerList();
            for (int i = 0; i < all.size(); i++) {
                topShapes.add(inferLayer(all.get(i), blobShapes, all.subList(i + 1, all.size())));
            }
        } catch (ModelException e) {
            throw inFile(e, definitionFile);
        }
        return new Inferred(deploy, blobShapes, topShapes);
    }

    /**
     * The net with input blob {@code input} given another shape (its batch dim included), every blob's shape
     * inferred anew, as Caffe's {@code Net::Reshape} and OpenCV's {@code setInput} do. Refused, saying why, where a
     * layer cannot take the new shape (a Reshape to fixed dims, a Concat whose inputs stop agreeing) or where its
     * weights would need another shape: an InnerProduct whose input size changes, say, so the net is not fully
     * convolutional.
     */
    public static Net reshape(Net net, String input, int[] shape) {
        NetParameter.Builder definition = net.definition().toBuilder();
        boolean found = false;
        for (LayerParameter.Builder layer : definition.getLayerBuilderList()) {
            int top = layer.getTopList().indexOf(input);
            if (layer.getType().equals("Input") && top >= 0) {
                InputParameter.Builder param = layer.getInputParamBuilder();
                if (param.getShapeCount() == 1 && layer.getTopCount() > 1) { // one shape shared by every top
                    for (int i = 1; i < layer.getTopCount(); i++) {
                        param.addShape(param.getShape(0));
                    }
                }
                param.setShape(top, BlobShape.newBuilder().addAllDim(Arrays.stream(shape).mapToLong(d -> d).boxed().toList()));
                found = true;
            }
        }
        if (!found) {
            throw new ModelException("net '" + net.name() + "' has no Input layer producing '" + input + "'");
        }
        String why = "cannot run on input '" + input + "' of shape " + Blob.describe(shape) + " (the prototxt's is "
                + Blob.describe(net.shape(input)) + "): ";
        Map<String, int[]> blobShapes = new LinkedHashMap<>();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < definition.getLayerCount(); i++) {
            LayerParameter layer = definition.getLayer(i);
            Layer old = net.layers().get(i);
            List<int[]> tops;
            try {
                tops = inferLayer(layer, blobShapes, List.of()); // its layers' order was checked as it loaded
            } catch (ModelException e) {
                throw new ModelException(why + e.getMessage(), e);
            }
            if (!old.weights().isEmpty()) {
                List<int[]> bottoms = shapesOf(layer.getBottomList(), blobShapes);
                List<int[]> expected = ParameterShapes.of(layer, bottoms);
                for (int w = 0; w < old.weights().size(); w++) {
                    int[] has = old.weights().get(w).shape();
                    if (w >= expected.size() || !Arrays.equals(has, expected.get(w))) {
                        throw new ModelException(why + "layer '" + layer.getName() + "' (" + layer.getType()
                                + ") would get input " + ShapeInference.describe(bottoms) + ", which needs weights "
                                + (w < expected.size() ? Blob.describe(expected.get(w)) : "of another count")
                                + ", not its " + Blob.describe(has) + ": the net is not fully convolutional");
                    }
                }
            }
            layers.add(new Layer(layer, old.weights(), List.copyOf(tops)));
        }
        return new Net(definition.build(), layers, blobShapes);
    }

    /**
     * The error for a bottom of {@code layer} that no earlier layer produces: naming the layer of {@code later} that
     * does, if one does (the layers are out of order: Caffe runs them as written, which "not produced by any earlier
     * layer" alone does not say); before that one, a missing name.
     */
    private static ModelException missingBottom(LayerParameter layer, Map<String, int[]> blobShapes,
                                                List<LayerParameter> later) {
        for (String bottom : layer.getBottomList()) {
            if (blobShapes.containsKey(bottom)) {
                continue;
            }
            for (LayerParameter writer : later) {
                if (writer.getTopList().contains(bottom)) {
                    return ModelException.inLayer(layer.getName(), "bottom '" + bottom + "' is produced only by the "
                            + "later layer '" + writer.getName() + "': Caffe runs the layers in the order written, "
                            + "so move '" + layer.getName() + "' after '" + writer.getName() + "'");
                }
            }
        }
        if (layer.getName().isEmpty()) {
            return unnamed(layer);
        }
        String bottom = layer.getBottomList().stream().filter(b -> !blobShapes.containsKey(b)).findFirst()
                .orElseThrow();
        return ModelException.inLayer(layer.getName(), "bottom '" + bottom + "' is not produced by any earlier layer"
                + (ForkLayerTypes.isTraining(layer.getType()) ? " (" + ForkLayerTypes.TRAINING + ")" : ""));
    }

    private static ModelException unnamed(LayerParameter layer) {
        return new ModelException("a layer of type '" + layer.getType() + "' has no name");
    }

    /**
     * Infers one layer's tops and records them; checks names, bottoms and blob reuse as Caffe's Net::Init does.
     *
     * @param later the layers after it, to name the one producing a bottom too late
     */
    private static List<int[]> inferLayer(LayerParameter layer, Map<String, int[]> blobShapes,
                                          List<LayerParameter> later) {
        String name = layer.getName();
        List<int[]> bottoms = new ArrayList<>(layer.getBottomCount());
        for (String bottom : layer.getBottomList()) {
            int[] shape = blobShapes.get(bottom);
            if (shape == null) {
                throw missingBottom(layer, blobShapes, later);
            }
            bottoms.add(shape);
        }
        if (name.isEmpty()) {
            throw unnamed(layer);
        }
        List<int[]> tops = ShapeInference.topShapes(layer, bottoms);
        // every weight blob the definition implies must fit an array too, caffemodel or not (inspect counts them)
        for (int[] parameter : ParameterShapes.of(layer, bottoms)) {
            Shapes.requireArray(name, "its weight blob", parameter);
        }
        for (int i = 0; i < tops.size(); i++) {
            String top = layer.getTop(i);
            if (layer.getTopList().indexOf(top) < i) {
                throw ModelException.inLayer(name, "names top '" + top + "' twice; each top is a blob of its own");
            }
            int[] previous = blobShapes.get(top);
            if (previous != null) {
                if (!layer.getBottomList().contains(top)) {
                    throw ModelException.inLayer(name, "top '" + top + "' is already produced by an earlier layer");
                }
                if (!Arrays.equals(previous, tops.get(i))) {
                    throw ModelException.inLayer(name, "works in place on '" + top + "' but changes its shape from "
                            + Blob.describe(previous) + " to " + Blob.describe(tops.get(i)));
                }
            }
            blobShapes.put(top, tops.get(i));
        }
        return tops;
    }

    /** The caffemodel's layers by name, after checking that it and the deploy net agree on BatchNorm folding. */
    private static Map<String, LayerParameter> storedLayers(NetParameter deploy, NetParameter stored, Path storedFile) {
        NetParameter upgraded;
        try {
            upgraded = NetUpgrade.v1ToCurrent(stored);
            FoldingMismatch.check(deploy, upgraded.getLayerList());
        } catch (ModelException e) {
            throw inFile(e, storedFile);
        }
        // Caffe copies source layers in order, so with duplicate names the last one wins.
        Map<String, LayerParameter> byName = new HashMap<>();
        for (LayerParameter layer : upgraded.getLayerList()) {
            byName.put(layer.getName(), layer);
        }
        return byName;
    }

    static List<int[]> shapesOf(List<String> blobs, Map<String, int[]> blobShapes) {
        return blobs.stream().map(blobShapes::get).toList();
    }

    private static NetParameter withoutBlobs(NetParameter net) {
        NetParameter.Builder b = net.toBuilder();
        Set<String> names = new HashSet<>();
        for (LayerParameter.Builder layer : b.getLayerBuilderList()) {
            if (!layer.getName().isEmpty() && !names.add(layer.getName())) {
                throw ModelException.inLayer(layer.getName(), "two layers have this name (weights are matched by name)");
            }
            layer.clearBlobs();
        }
        return b.build();
    }

    private static ModelException inFile(ModelException e, Path file) {
        return file == null ? e : e.inFile(file);
    }
}
