"""The vision producer: video in, tracked person detections out as one JSON event per frame.

Heavy libraries (OpenCV, ONNX Runtime, torch, ultralytics) are imported inside the
functions that need them, so importing this package or :mod:`vision.cli` is cheap.
"""

import os

# OpenCV and its FFmpeg print decoder chatter ("moov atom not found", reconnect
# warnings) straight to stderr; the producer reports those failures itself, on one
# line. Set these variables to see the chatter again.
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
