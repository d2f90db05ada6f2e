#!/usr/bin/env python3
"""The onnxruntime side of `loupe bench vision`, for a comparison on the same machine in the same sitting.

Needs `python3 -m pip install onnxruntime rapidocr-onnxruntime==1.4.4` (not part of set-up: Loupe itself never
runs Python). Times the PP-OCR graphs Loupe pulled, with 2 intra-op threads, at the shapes `loupe bench vision`
prints, and the whole rapidocr pipeline on an image.

    python3 scripts/reference-bench.py [IMAGE]
"""
import os
import sys
import time

import numpy as np
import onnxruntime as ort

MODELS = os.environ.get("LOUPE_MODELS", os.path.expanduser("~/.cache/loupe/models"))


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    return ort.InferenceSession(os.path.join(MODELS, path), options, providers=["CPUExecutionProvider"])


def timed(run, repetitions):
    run()
    runs = []
    for _ in range(repetitions):
        start = time.perf_counter()
        run()
        runs.append((time.perf_counter() - start) * 1e3)
    runs.sort()
    return runs[len(runs) // 2], runs[0]


def main():
    print(f"onnxruntime {ort.__version__}, 2 threads")
    print("| graph | input | ms (median) | fastest |")
    print("| --- | --- | ---: | ---: |")
    graphs = [
        ("ppocr-det", "ppocr-det/ch_PP-OCRv4_det_infer.onnx", [(1, 3, 736, 1024), (1, 3, 960, 1280)]),
        ("ppocr-rec", "ppocr-rec/ch_PP-OCRv4_rec_infer.onnx", [(1, 3, 48, 320), (6, 3, 48, 320)]),
        ("ppocr-cls", "ppocr-cls/ch_ppocr_mobile_v2.0_cls_infer.onnx", [(1, 3, 48, 192), (6, 3, 48, 192)]),
    ]
    rng = np.random.default_rng(0)
    for name, path, shapes in graphs:
        s = session(path)
        feed = s.get_inputs()[0].name
        for shape in shapes:
            x = (rng.random(shape, dtype=np.float32) * 2 - 1).astype(np.float32)
            median, fastest = timed(lambda: s.run(None, {feed: x}), 11)
            print(f"| {name} | {'×'.join(map(str, shape))} | {median:.1f} | {fastest:.1f} |")
    image = sys.argv[1] if len(sys.argv) > 1 else "examples/typewriter.png"
    from rapidocr_onnxruntime import RapidOCR
    engine = RapidOCR(intra_op_num_threads=2, inter_op_num_threads=1)
    lines = []
    median, fastest = timed(lambda: lines.__setitem__(slice(None), engine(image)[0] or []), 7)
    print(f"| rapidocr pipeline | {image}, {len(lines)} lines | {median:.0f} | {fastest:.0f} |")


if __name__ == "__main__":
    main()
