"""Where frames come from: video files, image and MOTChallenge folders, live streams."""
