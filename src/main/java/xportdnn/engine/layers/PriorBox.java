package xportdnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.PriorBoxParameter;

/**
 * SSD's PriorBox: for every cell of the feature map (first bottom) and every min_size, the boxes min_size x
 * min_size, sqrt(min_size * max_size) squared (with max_size), and min_size * sqrt(ar) by min_size / sqrt(ar)
 * for each further aspect ratio (1/ar too with flip), centred at {@code (cell + offset) * step}, as corners
 * normalised by the image size (the second bottom's, unless img_size/img_h/img_w is given), optionally clipped
 * to [0, 1]. Output {@code [1, 2, cells * priors * 4]}: row 0 the corners, row 1 the variances. Like SSD Caffe,
 * min and max sizes are truncated to integers. The priors are the same for every image of a batch.
 */
final class PriorBox implements LayerOp {

    private final String name;
    private final int[] minSizes;
    private final int[] maxSizes;
    private final List<Float> aspectRatios = new ArrayList<>();
    private final boolean clip;
    private final float[] variance;
    private final int imgH;
    private final int imgW;
    private final float stepH;
    private final float stepW;
    private final float offset;

    PriorBox(Layer layer) {
        name = layer.name();
        PriorBoxParameter p = layer.param().getPriorBoxParam();
        if (p.getMinSizeCount() == 0) {
            throw ModelException.inLayer(name, "needs min_size");
        }
        minSizes = p.getMinSizeList().stream().mapToInt(Float::intValue).toArray();
        maxSizes = p.getMaxSizeList().stream().mapToInt(Float::intValue).toArray();
        if (maxSizes.length > 0 && maxSizes.length != minSizes.length) {
            throw ModelException.inLayer(name, "needs as many max_size as min_size values");
        }
        for (int i = 0; i < minSizes.length; i++) {
            if (minSizes[i] <= 0 || maxSizes.length > 0 && maxSizes[i] <= minSizes[i]) {
                throw ModelException.inLayer(name, "min_size must be positive and max_size larger than min_size");
            }
        }
        aspectRatios.add(1f);
        for (float ar : p.getAspectRatioList()) {
            if (aspectRatios.stream().noneMatch(known -> Math.abs(ar - known) < 1e-6)) {
                aspectRatios.add(ar);
                if (p.getFlip()) {
                    aspectRatios.add((float) (1. / ar));
                }
            }
        }
        clip = p.getClip();
        variance = switch (p.getVarianceCount()) {
            case 0 -> new float[] {0.1f};
            case 1, 4 -> toArray(p.getVarianceList());
            default -> throw ModelException.inLayer(name, "needs 1 or 4 variance values, got " + p.getVarianceCount());
        };
        if (p.hasImgSize() && (p.hasImgH() || p.hasImgW()) || p.hasStep() && (p.hasStepH() || p.hasStepW())) {
            throw ModelException.inLayer(name, "give either img_size or img_h/img_w, and either step or step_h/step_w");
        }
        imgH = p.hasImgSize() ? p.getImgSize() : p.getImgH();
        imgW = p.hasImgSize() ? p.getImgSize() : p.getImgW();
        stepH = p.hasStep() ? p.getStep() : p.getStepH();
        stepW = p.hasStep() ? p.getStep() : p.getStepW();
        offset = p.getOffset();
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    int priorsPerCell() {
        return aspectRatios.size() * minSizes.length + maxSizes.length;
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray feature = bottoms.get(0);
        Layers.requireRank(name, feature, 4);
        int layerH = (int) feature.size(2);
        int layerW = (int) feature.size(3);
        int imageH = imgH;
        int imageW = imgW;
        if (imageH == 0 || imageW == 0) {
            if (bottoms.size() < 2) {
                throw ModelException.inLayer(name, "needs the image as second bottom, or img_size/img_h/img_w");
            }
            imageH = (int) bottoms.get(1).size(2);
            imageW = (int) bottoms.get(1).size(3);
        }
        float sh = stepH == 0 || stepW == 0 ? (float) imageH / layerH : stepH;
        float sw = stepH == 0 || stepW == 0 ? (float) imageW / layerW : stepW;
        int dim = layerH * layerW * priorsPerCell() * 4;
        float[] out = new float[2 * dim];
        int idx = 0;
        for (int h = 0; h < layerH; h++) {
            for (int w = 0; w < layerW; w++) {
                float cx = (w + offset) * sw;
                float cy = (h + offset) * sh;
                for (int s = 0; s < minSizes.length; s++) {
                    idx = box(out, idx, cx, cy, minSizes[s], minSizes[s], imageW, imageH);
                    if (maxSizes.length > 0) {
                        float side = (float) Math.sqrt((double) minSizes[s] * maxSizes[s]);
                        idx = box(out, idx, cx, cy, side, side, imageW, imageH);
                    }
                    for (float ar : aspectRatios) {
                        if (Math.abs(ar - 1.) >= 1e-6) {
                            idx = box(out, idx, cx, cy, (float) (minSizes[s] * Math.sqrt(ar)),
                                    (float) (minSizes[s] / Math.sqrt(ar)), imageW, imageH);
                        }
                    }
                }
            }
        }
        if (clip) {
            for (int d = 0; d < dim; d++) {
                out[d] = Math.min(Math.max(out[d], 0f), 1f);
            }
        }
        for (int d = 0; d < dim; d++) {
            out[dim + d] = variance.length == 1 ? variance[0] : variance[d % 4];
        }
        return List.of(Tensors.of(out, 1, 2, dim));
    }

    private static int box(float[] out, int idx, float cx, float cy, float width, float height, int imageW, int imageH) {
        out[idx] = (float) ((cx - width / 2.) / imageW);
        out[idx + 1] = (float) ((cy - height / 2.) / imageH);
        out[idx + 2] = (float) ((cx + width / 2.) / imageW);
        out[idx + 3] = (float) ((cy + height / 2.) / imageH);
        return idx + 4;
    }
}
