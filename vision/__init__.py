"""The vision producer: video in, tracked person detections out as one JSON event per frame.

Heavy libraries (OpenCV, ONNX Runtime, torch, ultralytics) are imported inside the
functions that need them, so importing this package or :mod:`vision.cli` is cheap.
"""
