package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.DetectionOutputParameter;
import xportdnn.model.proto.Caffe.PriorBoxParameter.CodeType;

/**
 * SSD's DetectionOutput: decodes the location predictions against the priors, keeps per class the boxes scoring
 * above confidence_threshold (at most nms top_k), suppresses overlaps above nms_threshold (adaptively with eta),
 * then keeps the keep_top_k best over all classes. Rows are {@code [image, label, score, xmin, ymin, xmax, ymax]},
 * ordered by label and then by score as SSD emits them. The top is {@code [N, 1, rows, 7]}: each image's rows
 * padded with zero rows to keep_top_k (as OpenCV reports it; without keep_top_k, to the largest count in the
 * batch, at least 1), so every image has the same number of rows.
 */
final class DetectionOutput implements LayerOp {

    private final String name;
    private final int numClasses;
    private final boolean shareLocation;
    private final int background;
    private final CodeType codeType;
    private final boolean varianceInTarget;
    private final int keepTopK;
    private final float confidenceThreshold;
    private final float nmsThreshold;
    private final float eta;
    private final int topK;

    DetectionOutput(Layer layer) {
        name = layer.name();
        DetectionOutputParameter p = layer.param().getDetectionOutputParam();
        if (!p.hasNumClasses()) {
            throw ModelException.inLayer(name, "needs num_classes");
        }
        numClasses = p.getNumClasses();
        shareLocation = p.getShareLocation();
        background = p.getBackgroundLabelId();
        codeType = p.getCodeType();
        varianceInTarget = p.getVarianceEncodedInTarget();
        keepTopK = p.getKeepTopK();
        confidenceThreshold = p.hasConfidenceThreshold() ? p.getConfidenceThreshold() : -Float.MAX_VALUE;
        nmsThreshold = p.getNmsParam().getNmsThreshold();
        eta = p.getNmsParam().getEta();
        topK = p.getNmsParam().hasTopK() ? p.getNmsParam().getTopK() : -1;
        if (nmsThreshold < 0 || eta <= 0 || eta > 1) {
            throw ModelException.inLayer(name, "nms_threshold must be >= 0 and eta in (0, 1]");
        }
        if (layer.bottoms().size() < 3) {
            throw ModelException.inLayer(name, "needs 3 bottoms: locations, confidences, priors");
        }
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray locs = bottoms.get(0);
        INDArray confs = bottoms.get(1);
        INDArray priorBlob = bottoms.get(2);
        int num = (int) locs.size(0);
        int numPriors = (int) (priorBlob.length() / priorBlob.size(0) / 8);
        int locClasses = shareLocation ? 1 : numClasses;
        if (locs.length() != (long) num * numPriors * locClasses * 4 || confs.length() != (long) num * numPriors * numClasses
                || confs.size(0) != num) {
            throw ModelException.inLayer(name, "locations, confidences and " + numPriors + " priors do not match");
        }
        float[] loc = Tensors.floats(locs);
        float[] conf = Tensors.floats(confs);
        float[] prior = Tensors.floats(priorBlob); // the priors of the first image serve the whole batch
        if (!finite(loc) || !finite(conf) || !finite(prior)) {
            // A NaN confidence is never above the threshold: the detections would drop it silently. NaN rows
            // instead, so the engine's check of the net's outputs names the layer where the values turned.
            float[] poisoned = new float[num * 7];
            Arrays.fill(poisoned, Float.NaN);
            return List.of(Tensors.of(poisoned, num, 1, 1, 7));
        }
        List<List<float[]>> perImage = new ArrayList<>(num);
        int rows = Math.max(keepTopK, 1);
        for (int i = 0; i < num; i++) {
            List<float[]> detections = detect(i, loc, conf, prior, numPriors, locClasses);
            perImage.add(detections);
            if (keepTopK < 0) {
                rows = Math.max(rows, detections.size());
            }
        }
        float[] out = new float[num * rows * 7];
        for (int i = 0; i < num; i++) {
            List<float[]> detections = perImage.get(i);
            for (int r = 0; r < detections.size(); r++) {
                System.arraycopy(detections.get(r), 0, out, (i * rows + r) * 7, 7);
            }
        }
        return List.of(Tensors.of(out, num, 1, rows, 7));
    }

    private static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** The kept detection rows of image {@code i}. */
    private List<float[]> detect(int i, float[] loc, float[] conf, float[] prior, int numPriors, int locClasses) {
        float[][] boxes = new float[locClasses][];
        for (int c = 0; c < locClasses; c++) {
            if (shareLocation || c != background) {
                boxes[c] = decode(loc, i, c, locClasses, prior, numPriors);
            }
        }
        Map<Integer, List<Integer>> kept = new TreeMap<>();
        int total = 0;
        for (int c = 0; c < numClasses; c++) {
            if (c == background) {
                continue;
            }
            float[] b = boxes[shareLocation ? 0 : c];
            List<Integer> indices = nms(b, classScores(conf, i, c, numPriors));
            kept.put(c, indices);
            total += indices.size();
        }
        if (keepTopK > -1 && total > keepTopK) {
            List<int[]> pairs = new ArrayList<>(total); // {label, index}
            kept.forEach((label, indices) -> indices.forEach(idx -> pairs.add(new int[] {label, idx})));
            pairs.sort(Comparator.comparingDouble((int[] p) -> -score(conf, i, p[0], p[1], numPriors)));
            kept = new TreeMap<>();
            for (int[] p : pairs.subList(0, keepTopK)) {
                kept.computeIfAbsent(p[0], l -> new ArrayList<>()).add(p[1]);
            }
        }
        List<float[]> rows = new ArrayList<>();
        kept.forEach((label, indices) -> {
            float[] b = boxes[shareLocation ? 0 : label];
            for (int idx : indices) {
                rows.add(new float[] {i, label, score(conf, i, label, idx, numPriors),
                    b[idx * 4], b[idx * 4 + 1], b[idx * 4 + 2], b[idx * 4 + 3]});
            }
        });
        return rows;
    }

    private float score(float[] conf, int image, int label, int prior, int numPriors) {
        return conf[(image * numPriors + prior) * numClasses + label];
    }

    private float[] classScores(float[] conf, int image, int label, int numPriors) {
        float[] s = new float[numPriors];
        for (int p = 0; p < numPriors; p++) {
            s[p] = score(conf, image, label, p, numPriors);
        }
        return s;
    }

    /** The boxes of one location class as corners, {@code [numPriors * 4]}. */
    private float[] decode(float[] loc, int image, int locClass, int locClasses, float[] prior, int numPriors) {
        float[] out = new float[numPriors * 4];
        for (int p = 0; p < numPriors; p++) {
            int l = ((image * numPriors + p) * locClasses + locClass) * 4;
            int b = p * 4;
            int v = (numPriors + p) * 4;
            float pxmin = prior[b];
            float pymin = prior[b + 1];
            float pxmax = prior[b + 2];
            float pymax = prior[b + 3];
            float[] var = varianceInTarget ? new float[] {1, 1, 1, 1}
                    : new float[] {prior[v], prior[v + 1], prior[v + 2], prior[v + 3]};
            switch (codeType) {
                case CORNER -> {
                    out[b] = pxmin + var[0] * loc[l];
                    out[b + 1] = pymin + var[1] * loc[l + 1];
                    out[b + 2] = pxmax + var[2] * loc[l + 2];
                    out[b + 3] = pymax + var[3] * loc[l + 3];
                }
                case CENTER_SIZE -> {
                    float pw = pxmax - pxmin;
                    float ph = pymax - pymin;
                    float pcx = (float) ((pxmin + pxmax) / 2.);
                    float pcy = (float) ((pymin + pymax) / 2.);
                    float cx = var[0] * loc[l] * pw + pcx;
                    float cy = var[1] * loc[l + 1] * ph + pcy;
                    float w = (float) (Math.exp(var[2] * loc[l + 2]) * pw);
                    float h = (float) (Math.exp(var[3] * loc[l + 3]) * ph);
                    out[b] = (float) (cx - w / 2.);
                    out[b + 1] = (float) (cy - h / 2.);
                    out[b + 2] = (float) (cx + w / 2.);
                    out[b + 3] = (float) (cy + h / 2.);
                }
                case CORNER_SIZE -> {
                    float pw = pxmax - pxmin;
                    float ph = pymax - pymin;
                    out[b] = pxmin + var[0] * loc[l] * pw;
                    out[b + 1] = pymin + var[1] * loc[l + 1] * ph;
                    out[b + 2] = pxmax + var[2] * loc[l + 2] * pw;
                    out[b + 3] = pymax + var[3] * loc[l + 3] * ph;
                }
                default -> throw ModelException.inLayer(name, "unknown code_type " + codeType);
            }
        }
        return out;
    }

    /** SSD's ApplyNMSFast: indices of the kept boxes, best score first. */
    private List<Integer> nms(float[] boxes, float[] scores) {
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < scores.length; p++) {
            if (scores[p] > confidenceThreshold) {
                order.add(p);
            }
        }
        order.sort(Comparator.comparingDouble(p -> -scores[p])); // stable, like std::stable_sort
        if (topK > -1 && topK < order.size()) {
            order = order.subList(0, topK);
        }
        List<Integer> kept = new ArrayList<>();
        float threshold = nmsThreshold;
        for (int idx : order) {
            boolean keep = true;
            for (int k : kept) {
                if (jaccard(boxes, idx, k) > threshold) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                kept.add(idx);
                if (eta < 1 && threshold > 0.5) {
                    threshold *= eta;
                }
            }
        }
        return kept;
    }

    /** Intersection over union of two normalised boxes (0 when they do not overlap). */
    static float jaccard(float[] boxes, int a, int b) {
        int i = a * 4;
        int j = b * 4;
        if (boxes[j] > boxes[i + 2] || boxes[j + 2] < boxes[i] || boxes[j + 1] > boxes[i + 3] || boxes[j + 3] < boxes[i + 1]) {
            return 0f;
        }
        float iw = Math.min(boxes[i + 2], boxes[j + 2]) - Math.max(boxes[i], boxes[j]);
        float ih = Math.min(boxes[i + 3], boxes[j + 3]) - Math.max(boxes[i + 1], boxes[j + 1]);
        if (iw <= 0 || ih <= 0) {
            return 0f;
        }
        float inter = iw * ih;
        return inter / (area(boxes, i) + area(boxes, j) - inter);
    }

    private static float area(float[] boxes, int i) {
        float w = boxes[i + 2] - boxes[i];
        float h = boxes[i + 3] - boxes[i + 1];
        return w < 0 || h < 0 ? 0f : w * h;
    }
}
