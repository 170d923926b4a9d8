"""Tracking: stable ids across frames (DeepSort, ByteTrack, the `trackers` package) and their evaluation."""
