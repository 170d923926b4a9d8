"""Detection: a frame in, thresholded boxes with class names out (ONNX Runtime or ultralytics)."""
