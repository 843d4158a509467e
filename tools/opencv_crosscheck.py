#!/usr/bin/python3
"""Cross-check of the float engine against OpenCV's dnn (an independent Caffe reader and engine), layer by layer.

Runs tools/OpenCvCrossCheck.java (small seeded nets, and our engine's output of every layer), then OpenCV on the
same prototxt/caffemodel/input with layer fusion off (so every layer's own output is kept), and prints per layer
the max absolute difference and the max relative one (max |ours - opencv| / max |opencv| over that output), or a
shape mismatch, or which side refused the net. A relative difference above 1e-5 (or a shape or NaN mismatch) not
listed in OPENCV_DEVIATIONS is marked UNEXPLAINED and makes the exit status 1: judge it by Caffe's own layer
sources, as the listed ones were (OpenCV deviates from Caffe there; see the README's engine section).

Run from the repository root (needs cv2 and numpy; `mvn -B -q -o -DskipTests package` first):
    /usr/bin/python3 tools/opencv_crosscheck.py /tmp/xcheck [NET ...]
--no-java skips the Java step and compares what OUT already holds.
"""
import os
import re
import subprocess
import sys

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Disagreements judged against Caffe's (and SSD Caffe's) sources, where OpenCV 4.6 is the one that deviates; our
# outputs there were also checked against the Caffe formula in numpy (max abs difference < 3e-7).
OPENCV_DEVIATIONS = {
    "deconv_dilated/dilated": "OpenCV leaves dilation out of Deconvolution (Caffe: output "
                              "stride*(in-1)+d*(k-1)+1-2*pad)",
    "ip_transpose/ip_t": "OpenCV ignores inner_product_param.transpose (Caffe then stores the weights as [K, N])",
    "activation_more/log": "OpenCV's Log ignores log_param (base, scale, shift): ln(x)",
    "activation_more/log10": "OpenCV's Log ignores log_param (base, scale, shift): ln(x)",
    "lrn/across5_k2": "OpenCV ignores lrn_param.k, using 1 (Caffe: k + alpha/n * sum of squares)",
    "lrn/across3_k05": "OpenCV ignores lrn_param.k, using 1 (Caffe: k + alpha/n * sum of squares)",
    "pool_empty_max/max2s3": "a window past the input: Caffe keeps its initial -FLT_MAX, OpenCV writes 0",
    "mvn/mvn_across": "OpenCV divides by sqrt(var + eps); Caffe's MVNLayer by sqrt(var) + eps",
    "pool_pad_one_axis/max": "OpenCV drops a last window past the input per padded axis; Caffe on both axes when "
                             "either is padded (pad_h_ || pad_w_)",
    "pool_pad_one_axis/ave": "OpenCV drops a last window past the input per padded axis; Caffe on both axes when "
                             "either is padded (pad_h_ || pad_w_)",
    "priorbox/pb_step": "OpenCV's caffe.proto defaults prior_box_param.clip to true (SSD's: false)",
    "priorbox/pb_hw": "OpenCV ignores prior_box_param img_h/img_w (uses the image bottom's size)",
    "scale_by_bottom_bias/sc_vec_bias": "OpenCV's two-bottom Scale with axis 0 and bias_term is not Caffe's x*s+b",
}


def run_java(out, nets):
    with open(os.path.join(ROOT, "target", "classpath.txt")) as f:
        cp = ":".join([f.read().strip(), os.path.join(ROOT, "target", "classes"),
                       os.path.join(ROOT, "target", "test-classes")])  # OpenCvCrossCheck's weights: TestWeights
    subprocess.run(["java", "-cp", cp, os.path.join(ROOT, "tools", "OpenCvCrossCheck.java"), out] + nets,
                   check=True, stdout=subprocess.DEVNULL)


def opencv_outputs(out, name):
    """Every layer's outputs by layer name, as OpenCV computes them (a list per layer, one array per top)."""
    model = os.path.join(out, name + ".opencv.caffemodel")  # 0-D blobs stored as [1] (OpenCV cannot read 0-D)
    if not os.path.exists(model):
        model = os.path.join(out, name + ".caffemodel")
    net = cv2.dnn.readNetFromCaffe(os.path.join(out, name + ".prototxt"), model if os.path.exists(model) else None)
    net.enableFusion(False)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    net.setInput(np.load(os.path.join(out, name + ".input.npy")))
    for f in os.listdir(out):  # further input blobs
        if f.startswith(name + ".input.") and f != name + ".input.npy":
            net.setInput(np.load(os.path.join(out, f)), f[len(name + ".input."):-len(".npy")])
    # one pass per layer, stopping at it: in one pass over all layers OpenCV reuses the memory of a layer's second
    # and later tops once their readers have run
    return {layer: net.forwardAndRetrieve([layer])[0] for layer in net.getLayerNames()}


def detection_layers(out, name):
    """The names of the net's DetectionOutput layers: their rows are compared as a set (see detections)."""
    with open(os.path.join(out, name + ".prototxt")) as f:
        return set(re.findall(r'name: "([^"]+)" type: "DetectionOutput"', f.read()))


def detections(rows):
    """A DetectionOutput's rows [image, label, score, box] without padding (zero rows, image -1), in one order:
    we pad each image's rows to keep_top_k in [N, 1, K, 7], OpenCV stacks the batch's in [1, 1, rows, 7]."""
    rows = rows.reshape(-1, 7)
    rows = rows[(rows[:, 0] >= 0) & np.any(rows != 0, axis=1)]
    return rows[np.lexsort((-rows[:, 2], rows[:, 1], rows[:, 0]))]


def compare(ours, theirs):
    """(max abs, max relative) difference, or None when the shapes or the non-finite values differ; and a text."""
    if ours.shape != theirs.shape:
        return None, "shape ours %s opencv %s" % (ours.shape, theirs.shape)
    finite = np.isfinite(ours) & np.isfinite(theirs)
    if not np.array_equal(np.isfinite(ours), np.isfinite(theirs)):
        return None, "non-finite values differ (ours %d, opencv %d)" % ((~np.isfinite(ours)).sum(),
                                                                        (~np.isfinite(theirs)).sum())
    diff = np.abs(ours[finite].astype(np.float64) - theirs[finite])
    scale = max(float(np.abs(theirs[finite]).max(initial=0)), 1e-30)
    abs_diff = float(diff.max(initial=0))
    return (abs_diff, abs_diff / scale), "max abs %.3g  rel %.3g" % (abs_diff, abs_diff / scale)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out, nets = args[0], args[1:]
    if "--no-java" not in sys.argv:
        run_java(out, nets)
    if not nets:
        nets = sorted(f[:-len(".prototxt")] for f in os.listdir(out) if f.endswith(".prototxt"))
    worst = 0.0
    worst_rel = 0.0
    unexplained = 0
    for name in nets:
        refused = os.path.join(out, name + ".refused")
        if os.path.exists(refused):
            with open(refused) as f:
                print("%-16s ours refused: %s" % (name, f.read().strip()))
            continue
        try:
            theirs = opencv_outputs(out, name)
        except cv2.error as e:
            print("%-16s OpenCV refused: %s" % (name, " ".join(line.strip() for line in str(e).strip().splitlines())))
            continue
        detection = detection_layers(out, name)
        for layer, outputs in theirs.items():
            for t, theirs_t in enumerate(outputs):
                key = layer.replace("/", "__") + ("." + str(t) if t else "")  # engine.LayerDump's file names
                path = os.path.join(out, name + ".ours", key + ".npy")
                label = "%s/%s%s" % (name, layer, "." + str(t) if t else "")
                if not os.path.exists(path):
                    if t == 0:
                        print("%-32s no output of ours" % label)
                    # else OpenCV's MAX pooling's second output (the argmax mask), which Caffe's deploy nets lack
                    continue
                ours_t = np.load(path)
                if layer in detection:
                    ours_t, theirs_t = detections(ours_t), detections(theirs_t)
                    label += " (%d detections)" % len(ours_t)
                value, text = compare(ours_t, theirs_t)
                if label in OPENCV_DEVIATIONS:
                    text += "  (OpenCV deviates: %s)" % OPENCV_DEVIATIONS[label]
                elif value is None or value[1] > 1e-5:
                    text += "  <-- UNEXPLAINED"
                    unexplained += 1
                else:
                    worst = max(worst, value[0])
                    worst_rel = max(worst_rel, value[1])
                print("%-32s %s" % (label, text))
    print("where both agree: max abs difference %.3g, max relative %.3g; unexplained disagreements: %d"
          % (worst, worst_rel, unexplained))
    sys.exit(1 if unexplained else 0)


if __name__ == "__main__":
    main()
