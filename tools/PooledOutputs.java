// The float output of every AVE pooling, per image of a set: what tools/pooling_headroom.py reads to measure how
// often images exceed a pooling's calibrated range (quant.PoolingHeadroom's factor was chosen with it). Writes
// OUT/<layer>.f32 (big-endian float32, images x values, in the set's order), OUT/labels.txt, and the set indices of
// OUT/calibration.txt (the first N images, or with random:N the seeded draw of --calibration_size N) and, with a
// count, OUT/scored.txt (compare's and validate's seeded draw of that many among the others, seed 1), which the
// script leaves out.
//
// Run from the repository root after a build (ResNet-20, the README's compare protocol):
//   java -Xmx4g -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/PooledOutputs.java out/pooled-resnet20 \
//       ../shared/models/resnet20_cifar10/res20_deploy.derived.prototxt \
//       ../shared/models/resnet20_cifar10/cifar10_res20_iter_64000.caffemodel \
//       ../shared/data/cifar10-test/labels.txt 256 2000 0,1,2 ../shared/data/cifar10-test/mean.npy
// SqueezeNet v1.0 (its own preprocessing defaults; every other image is scored, so no count):
//   java ... tools/PooledOutputs.java out/pooled-squeezenet \
//       ../shared/models/squeezenet_v1.0/SqueezeNet_deploy.prototxt \
//       ../shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel ../shared/data/imagenet-val-500/val.txt 64
// (random:32 instead of 64: the accuracy table's calibration draw)
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;
import xportdnn.pipeline.LoadedNet;

public class PooledOutputs {
    static final int BATCH = 16;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Net net = LoadedNet.load(Path.of(args[1]), Path.of(args[2]), false).net();
        ImageSet set = ImageSet.open(Path.of(args[3]), null);
        boolean drawn = args[4].startsWith("random:");
        int calibration = Integer.parseInt(drawn ? args[4].substring("random:".length()) : args[4]);
        Integer count = args.length > 5 ? Integer.valueOf(args[5]) : null;
        PreprocessingFlags flags = args.length > 6
                ? new PreprocessingFlags(null, null, parse(args[6]), Preprocessing.DEFAULT_RAW_SCALE, null,
                        Path.of(args[7]), Preprocessing.DEFAULT_INPUT_SCALE)
                : PreprocessingFlags.defaults();
        Files.createDirectories(out);
        List<ImageSet.Entry> all = set.entries();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            index.put(all.get(i).name(), i);
        }
        List<ImageSet.Entry> calibrating = CalibrationSample.select(set, calibration, CalibrationSample.DEFAULT_SEED,
                drawn ? null : IntStream.range(0, calibration).toArray());
        write(out.resolve("calibration.txt"), calibrating, index);
        if (count != null) {
            Set<String> names = new HashSet<>();
            calibrating.forEach(e -> names.add(e.name()));
            List<ImageSet.Entry> others = new ArrayList<>(all);
            others.removeIf(e -> names.contains(e.name()));
            write(out.resolve("scored.txt"), CalibrationSample.select(ImageSet.of(others), count, 1L, null), index);
        }
        try (PrintWriter w = new PrintWriter(out.resolve("labels.txt").toFile())) {
            all.forEach(e -> w.println(e.label().orElse(-1)));
        }
        Map<String, DataOutputStream> files = new LinkedHashMap<>();
        for (Layer l : net.layers()) {
            if (l.layerType() == LayerType.POOLING && l.param().getPoolingParam().getPool() == PoolMethod.AVE) {
                files.put(l.name(), new DataOutputStream(new BufferedOutputStream(
                        new FileOutputStream(out.resolve(l.name().replace('/', '_') + ".f32").toFile()))));
            }
        }
        Transformer transformer = new Transformer(flags.resolve(net));
        FloatEngine engine = new FloatEngine(net);
        for (int start = 0; start < all.size(); start += BATCH) {
            int m = Math.min(BATCH, all.size() - start);
            float[] batch = new float[m * transformer.size()];
            for (int i = 0; i < m; i++) {
                transformer.preprocess(all.get(start + i), batch, i * transformer.size());
            }
            engine.forward(batch, m, (l, tops) -> {
                DataOutputStream file = files.get(l.name());
                if (file != null) {
                    try {
                        for (float v : Tensors.floats(tops.get(0))) {
                            file.writeFloat(v);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        }
        for (DataOutputStream f : files.values()) {
            f.close();
        }
        System.out.println("wrote " + files.keySet() + " for " + all.size() + " images to " + out);
    }

    static int[] parse(String list) {
        return java.util.Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static void write(Path file, List<ImageSet.Entry> entries, Map<String, Integer> index) throws IOException {
        try (PrintWriter w = new PrintWriter(file.toFile())) {
            entries.forEach(e -> w.println(index.get(e.name())));
        }
    }
}
