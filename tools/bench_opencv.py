#!/usr/bin/python3
"""Times OpenCV dnn's float CPU inference on a Caffe model, the way `xportdnn bench` times ours.

Same scheme as `xportdnn bench`: seeded random input (uniform in [-1, 1)) of the net's input shape with the given
batch, untimed warm-up passes (at least --warmup of them and for at least --warmup_seconds), then --iterations
timed passes (or passes until --seconds have passed); the headline time per image is the median pass's, with the
fastest and the mean beside it. One pass is setInput + forward.
Prints the same summary and writes the same JSON keys (batch, ms_per_image, images_per_s, gflops, ...).

Needs Debian's python3-opencv (apt-get install -y python3-opencv); run it with /usr/bin/python3, since another
python3 on the PATH (e.g. pyenv's) may not see Debian's packages:
    /usr/bin/python3 tools/bench_opencv.py --deploy_model P --weights W --threads 2 --json opencv.json
"""
import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time

import cv2
import numpy as np

SEED = 20240229


def input_shape(prototxt):
    """C, H, W of the net's single input: `input_dim` x4, `input_shape { dim... }` or an Input layer's shape."""
    with open(prototxt) as f:
        text = re.sub(r"#.*", "", f.read())
    dims = [int(d) for d in re.findall(r"\binput_dim\s*:\s*(\d+)", text)]
    if len(dims) < 4:
        dims = [int(d) for d in re.findall(r"\bdim\s*:\s*(\d+)", text)]
    if len(dims) < 4:
        sys.exit(f"bench_opencv: cannot find a 4-D input shape in {prototxt}")
    return dims[1:4]


def peak_rss_mib():
    """This process's peak resident memory (VmHWM), or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--deploy_model", required=True, help="the deploy prototxt")
    p.add_argument("--weights", required=True, help="the caffemodel")
    p.add_argument("--batch", type=int, default=1, help="images per forward pass (default 1)")
    p.add_argument("--threads", type=int, default=2, help="cv2.setNumThreads (default 2)")
    p.add_argument("--warmup", type=int, default=3, help="untimed passes first, at least this many (default 3)")
    p.add_argument("--warmup_seconds", type=float, default=5.0,
                   help="untimed passes go on until this many seconds have passed (default 5, as xportdnn bench)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--iterations", type=int, help="exactly M timed passes")
    group.add_argument("--seconds", type=float, help="timed passes until S seconds have passed (default 10)")
    p.add_argument("--multiply_adds", type=int,
                   help="multiply-adds per image for GFLOP/s (pass xportdnn's count so both use the same); "
                        "default: OpenCV's getFLOPS / 2")
    p.add_argument("--json", help="also write the results as JSON")
    a = p.parse_args()
    if a.batch < 1 or a.threads < 1 or a.warmup < 0 or (a.iterations is not None and a.iterations < 1) \
            or (a.seconds is not None and not a.seconds > 0) or not 0 <= a.warmup_seconds < float("inf"):
        p.error("--batch, --threads, --iterations and --seconds must be positive, --warmup and --warmup_seconds 0 "
                "or more")

    cv2.setNumThreads(a.threads)
    net = cv2.dnn.readNetFromCaffe(a.deploy_model, a.weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    shape = [a.batch] + input_shape(a.deploy_model)
    blob = np.random.default_rng(SEED).uniform(-1, 1, size=shape).astype(np.float32)
    if a.multiply_adds is not None:
        multiply_adds, counted_by = a.multiply_adds, "given"
    else:
        multiply_adds, counted_by = net.getFLOPS([1] + shape[1:]) // 2, "OpenCV getFLOPS / 2"

    warmup_end = time.perf_counter() + a.warmup_seconds
    warmup_passes = 0
    while warmup_passes < a.warmup or time.perf_counter() < warmup_end:
        net.setInput(blob)
        net.forward()
        warmup_passes += 1
    passes = a.iterations if a.iterations is not None else float("inf")
    budget = float("inf") if a.iterations is not None else (a.seconds if a.seconds is not None else 10.0)
    seconds = []
    while len(seconds) < passes and (not seconds or sum(seconds) < budget):
        start = time.perf_counter()
        net.setInput(blob)
        net.forward()
        seconds.append(time.perf_counter() - start)

    ms_per_image = statistics.median(seconds) * 1000 / a.batch
    images_per_s = 1000 / ms_per_image
    report = {
        "engine": "opencv " + cv2.__version__,
        "model": a.deploy_model,
        "batch": a.batch,
        "threads": cv2.getNumThreads(),
        "warmup": a.warmup,
        "warmup_seconds": a.warmup_seconds,
        "warmup_passes": warmup_passes,
        "iterations": len(seconds),
        "ms_per_image": ms_per_image,
        "ms_per_image_min": min(seconds) * 1000 / a.batch,
        "ms_per_image_mean": statistics.mean(seconds) * 1000 / a.batch,
        "images_per_s": images_per_s,
        "gflops": 2.0 * multiply_adds * images_per_s / 1e9,
        "multiply_adds_per_image": multiply_adds,
        "peak_rss_mib": peak_rss_mib(),
        "pass_ms": [s * 1000 for s in seconds],
    }
    print(f"{os.path.basename(a.deploy_model)}: batch {a.batch}, OpenCV {cv2.__version__} dnn, "
          f"{report['threads']} threads (cv2.setNumThreads)")
    print(f"{warmup_passes} warm-up passes (at least {a.warmup} and {a.warmup_seconds:g} s), "
          f"{len(seconds)} timed passes in {sum(seconds):.1f} s")
    print(f"time per image  {ms_per_image:.3f} ms (median pass; fastest {report['ms_per_image_min']:.3f}, "
          f"mean {report['ms_per_image_mean']:.3f})")
    print(f"images per s    {images_per_s:.1f}")
    print(f"GFLOP/s         {report['gflops']:.1f} ({multiply_adds:,} multiply-adds per image, {counted_by})")
    rss = report["peak_rss_mib"]
    print("peak memory     " + (f"{rss:.0f} MiB resident (whole process)" if rss is not None else "unknown"))
    if a.json:
        folder = os.path.dirname(os.path.abspath(a.json))
        with tempfile.NamedTemporaryFile("w", dir=folder, prefix="." + os.path.basename(a.json), suffix=".tmp",
                                         delete=False) as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        os.replace(f.name, a.json)


if __name__ == "__main__":
    main()
