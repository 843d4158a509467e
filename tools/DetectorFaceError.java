// Where a quantized SSD face detector's error is: at the positions its faces come from, or over all positions.
// The float net and each fixed-point export (simulated) run on a list of images. A prior is a "face prior" when the
// float net scores it above THRESHOLD as a face; per export it prints the error of the face logit
// (log p_face - log p_background, fixed minus float) at the face priors (mean, mean absolute, rms, how many lower) and
// over all priors, and for each blob named, the SQNR at the positions of its map that hold a face prior and at all
// positions. Written for the shared face detector (yufacedetectnet-open-v1: priors from conv3_3_norm, conv4_3_norm,
// conv5_3_norm, conv6_3_norm with 3, 2, 2, 3 priors per position, in mbox_conf's order); a named blob is matched to
// the source map of its height and width.
//
// Run from the repository root after a build (the face detector's preprocessing, as in the README):
//   M=../shared/models/yufacedetectnet_v1
//   java -Xmx6g -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/DetectorFaceError.java \
//       $M/yufacedetectnet-open-v1.prototxt $M/yufacedetectnet-open-v1.caffemodel LIST.txt 0.3 \
//       conv3_3,conv4_3,conv3_3_norm plain.prototxt $M/yufacedetectnet-open-v1.caffemodel tuned.prototxt tuned.caffemodel
// Measured with it (2026-12-07, Xilinx 6-bit, 64 calibration images, val.txt images 64-249): the float-output fit
// lowered the face priors' logit by 0.57 on average (untuned 0.21) and their positions' SQNR in every source layer.
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import xportdnn.data.ImageSet;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.pipeline.LoadedNet;
import xportdnn.sim.FixedPointNet;

public class DetectorFaceError {
    static final String[] SOURCES = {"conv3_3_norm", "conv4_3_norm", "conv5_3_norm", "conv6_3_norm"};
    static final int[] PRIORS_PER_POSITION = {3, 2, 2, 3};
    static final String SCORES = "mbox_conf_softmax";

    public static void main(String[] args) {
        Net floatNet = LoadedNet.load(Path.of(args[0]), Path.of(args[1]), false).net();
        PreprocessingFlags face = new PreprocessingFlags(new int[] {3, 240, 320}, new int[] {2, 0, 1},
                new int[] {2, 1, 0}, 255f, new float[] {104, 117, 123}, null, 1f);
        Transformer transformer = new Transformer(face.resolve(floatNet));
        List<ImageSet.Entry> images = ImageSet.open(Path.of(args[2]), null).entries();
        double threshold = Double.parseDouble(args[3]);
        List<String> blobs = List.of(args[4].split(","));
        List<String> kept = new ArrayList<>(blobs);
        kept.add(SCORES);
        List<Map<String, float[]>> floats = run(floatNet, null, images, transformer, kept);
        for (int i = 5; i + 1 < args.length; i += 2) {
            Net net = LoadedNet.load(Path.of(args[i]), Path.of(args[i + 1]), false).net();
            report(args[i], floatNet, floats, run(net, new FixedPointNet(net), images, transformer, kept), threshold,
                    blobs);
        }
    }

    /** Per image, the kept blobs' values (the float net's, or the simulator's dequantized ones). */
    static List<Map<String, float[]>> run(Net net, FixedPointNet fixed, List<ImageSet.Entry> images,
            Transformer transformer, List<String> kept) {
        List<Map<String, float[]>> out = new ArrayList<>();
        FloatEngine engine = fixed == null ? new FloatEngine(net) : null;
        for (ImageSet.Entry image : images) {
            float[] input = new float[transformer.size()];
            transformer.preprocess(image, input, 0);
            Map<String, float[]> values = new HashMap<>();
            if (fixed == null) {
                engine.forward(input, 1, (layer, tops) -> {
                    for (int t = 0; t < tops.size(); t++) {
                        if (kept.contains(layer.tops().get(t))) {
                            values.put(layer.tops().get(t), Tensors.floats(tops.get(t)));
                        }
                    }
                });
            } else {
                fixed.forwardValues(input, 1, (layer, tops) -> {
                    for (int t = 0; t < tops.size(); t++) {
                        if (kept.contains(layer.tops().get(t))) {
                            values.put(layer.tops().get(t), tops.get(t).clone());
                        }
                    }
                });
            }
            out.add(values);
        }
        return out;
    }

    static void report(String name, Net net, List<Map<String, float[]>> floats, List<Map<String, float[]>> fixed,
            double threshold, List<String> blobs) {
        double sum = 0, sumAbs = 0, sumSq = 0, allSq = 0;
        int faces = 0, lower = 0, all = 0;
        Map<String, double[]> energies = new LinkedHashMap<>(); // error and signal at face positions, then at all
        for (int i = 0; i < floats.size(); i++) {
            float[] f = floats.get(i).get(SCORES);
            float[] x = fixed.get(i).get(SCORES);
            boolean[] face = new boolean[f.length / 2];
            for (int p = 0; p < face.length; p++) {
                double d = logit(x, p) - logit(f, p);
                allSq += d * d;
                all++;
                if (f[2 * p + 1] > threshold) {
                    face[p] = true;
                    sum += d;
                    sumAbs += Math.abs(d);
                    sumSq += d * d;
                    faces++;
                    lower += d < 0 ? 1 : 0;
                }
            }
            Map<Integer, boolean[]> facePositions = facePositions(net, face);
            for (String blob : blobs) {
                float[] fb = floats.get(i).get(blob);
                float[] xb = fixed.get(i).get(blob);
                int[] shape = net.shape(blob);
                int plane = shape[2] * shape[3];
                boolean[] at = facePositions.get(plane);
                double[] e = energies.computeIfAbsent(blob, b -> new double[4]);
                for (int pos = 0; pos < plane; pos++) {
                    double error = 0, signal = 0;
                    for (int c = 0; c < shape[1]; c++) {
                        double v = fb[c * plane + pos];
                        error += (xb[c * plane + pos] - v) * (xb[c * plane + pos] - v);
                        signal += v * v;
                    }
                    if (at != null && at[pos]) {
                        e[0] += error;
                        e[1] += signal;
                    }
                    e[2] += error;
                    e[3] += signal;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d face priors (float p > %.2f): face logit error mean %+.3f, mean |.| %.3f,"
                + " rms %.3f, %d lower; all %d priors: rms %.3f%n", name, faces, threshold, sum / faces,
                sumAbs / faces, Math.sqrt(sumSq / faces), lower, all, Math.sqrt(allSq / all));
        energies.forEach((blob, e) -> System.out.printf(Locale.ROOT,
                "  %-16s SQNR at face positions %6.2f dB, at all positions %6.2f dB%n", blob,
                10 * Math.log10(e[1] / e[0]), 10 * Math.log10(e[3] / e[2])));
    }

    static double logit(float[] probabilities, int prior) {
        return Math.log(probabilities[2 * prior + 1] + 1e-12) - Math.log(probabilities[2 * prior] + 1e-12);
    }

    /** Per source map (keyed by its height x width), the positions holding a face prior. */
    static Map<Integer, boolean[]> facePositions(Net net, boolean[] face) {
        Map<Integer, boolean[]> out = new HashMap<>();
        int first = 0;
        for (int s = 0; s < SOURCES.length; s++) {
            int[] shape = net.shape(SOURCES[s]);
            int plane = shape[2] * shape[3];
            boolean[] at = new boolean[plane];
            for (int pos = 0; pos < plane; pos++) {
                for (int k = 0; k < PRIORS_PER_POSITION[s]; k++) {
                    at[pos] |= face[first + pos * PRIORS_PER_POSITION[s] + k];
                }
            }
            first += plane * PRIORS_PER_POSITION[s];
            out.put(plane, at);
        }
        return out;
    }
}
