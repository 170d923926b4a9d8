"""MOTChallenge sequence folders: frames as a camera, ground truth for ``rva vision eval``.

The layout (MOT16/17/20; VisDrone-MOT after conversion)::

    MOT17-09/
      seqinfo.ini        [Sequence] imDir=img1, frameRate=30, seqLength=525 (optional)
      img1/000001.jpg    frames, in natural order
      gt/gt.txt          frame, id, left, top, width, height, mark, class, visibility

Ground-truth rules are MOTChallenge's: a row with mark 0 is dropped; pedestrians
(class 1) are asked for whatever their visibility; people on vehicles, static people,
distractors and reflections (classes 2, 7, 8, 12) are ignored regions, where a found
box is neither a hit nor a false positive; other classes (vehicles, occluders) are left
out.
"""

from __future__ import annotations

import configparser
import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from vision.errors import SourceError
from vision.sources.video import ImageFolderSource, read_image
from vision.track.scenes import Scene, TruthBox

PEDESTRIAN = 1
IGNORED_CLASSES = frozenset({2, 7, 8, 12})  # person on vehicle, static person, distractor, reflection
DEFAULT_FPS = 30.0


def is_mot_sequence(folder: Path) -> bool:
    """Whether ``folder`` has a MOTChallenge layout (seqinfo.ini or img1/)."""
    return (folder / "seqinfo.ini").is_file() or (folder / "img1").is_dir()


def frames_folder(folder: Path) -> tuple[Path, float]:
    """The image folder of a sequence and its frame rate (seqinfo.ini, else 30)."""
    info = configparser.ConfigParser()
    image_dir, fps = "img1", DEFAULT_FPS
    if (folder / "seqinfo.ini").is_file():
        try:
            info.read(folder / "seqinfo.ini")
            image_dir = info.get("Sequence", "imDir", fallback=image_dir)
            fps = info.getfloat("Sequence", "frameRate", fallback=fps)
        except (configparser.Error, ValueError) as err:
            raise SourceError(f"{folder / 'seqinfo.ini'}: unreadable ({err})") from err
    images = folder / image_dir
    if not images.is_dir():
        raise SourceError(f"{folder}: no {image_dir}/ folder of frames")
    return images, fps


class FramesOnDisk(Sequence[np.ndarray]):
    """A sequence's frames, read from disk when asked for (a sequence can be gigabytes)."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> np.ndarray:  # type: ignore[override]
        return read_image(self.files[index])

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(len(self)))


def read_ground_truth(path: Path, frames: int) -> list[list[TruthBox]]:
    """Per frame (0-based), the boxes of ``gt.txt`` under MOTChallenge's rules."""
    truth: list[list[TruthBox]] = [[] for _ in range(frames)]
    line = 0
    try:
        with path.open(newline="") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                if not row:
                    continue
                frame, person = int(row[0]), int(row[1])
                left, top, width, height = (float(v) for v in row[2:6])
                mark = int(float(row[6])) if len(row) > 6 else 1
                cls = int(float(row[7])) if len(row) > 7 else PEDESTRIAN
                visible = float(row[8]) if len(row) > 8 else 1.0
                if mark == 0 or not 1 <= frame <= frames:
                    continue
                if cls == PEDESTRIAN or cls in IGNORED_CLASSES:
                    truth[frame - 1].append(TruthBox(person, (left, top, left + width, top + height), visible,
                                                     ignore=cls in IGNORED_CLASSES))
    except (OSError, ValueError, IndexError) as err:
        raise SourceError(f"{path}: line {line}: not MOTChallenge ground truth ({err})") from err
    return truth


def read_mot_sequence(folder: Path) -> Scene:
    """A MOTChallenge sequence with ground truth as a :class:`Scene` (frames read lazily).

    Raises:
        SourceError: No frames, or no ``gt/gt.txt``, or a line of it that does not parse.
    """
    images, fps = frames_folder(folder)
    files = ImageFolderSource(images, fps=fps).files
    gt = folder / "gt" / "gt.txt"
    if not gt.is_file():
        raise SourceError(f"{folder}: no gt/gt.txt; `rva vision eval` needs ground truth")
    return Scene(FramesOnDisk(files), read_ground_truth(gt, len(files)), fps)  # type: ignore[arg-type]
