#!/usr/bin/env python3
"""Long-context variant of an Aff-Wild2-layout dataset, for the stateful-training comparison in docs/training.md.

Copies DATA to OUT (frame folders linked, annotations copied) and relabels the expressions with a "mood": within each
segment of consecutive frame numbers (the gap rule: context never crosses missing frames), a frame's label is the last
non-neutral expression shown so far in the segment, or Neutral when none has been shown yet. An unlabeled frame (-1)
stays unlabeled and does not change the mood. Valence/arousal are left as they are (per-frame, visible in the face).

With the synthetic faces (expression segments of 12-28 frames with neutral stretches between them) a frame's mood is
often decided 10-30 frames before it: beyond an 8-frame window, within reach of a state carried from window to window.

usage: mood-labels.py DATA OUT
"""
import os
import shutil
import sys


def main(data, out):
    os.makedirs(out, exist_ok=True)
    frames_root = os.path.join(data, "cropped_aligned")
    link = os.path.join(out, "cropped_aligned")
    if not os.path.exists(link):
        os.symlink(os.path.abspath(frames_root), link)
    if os.path.exists(os.path.join(out, "annotations")):
        shutil.rmtree(os.path.join(out, "annotations"))
    shutil.copytree(os.path.join(data, "annotations"), os.path.join(out, "annotations"))
    changed = total = 0
    expr = os.path.join(out, "annotations", "EXPR_Set")
    for split in sorted(os.listdir(expr)):
        for name in sorted(os.listdir(os.path.join(expr, split))):
            path = os.path.join(expr, split, name)
            video = os.path.splitext(name)[0]
            with open(path) as f:
                lines = f.read().splitlines()
            header, labels = lines[0], [int(x) for x in lines[1:]]
            present = {int(os.path.splitext(f)[0]) for f in os.listdir(os.path.join(frames_root, video))}
            mood, previous = 0, None
            result = []
            for number, label in enumerate(labels, start=1):
                if number not in present:          # no image: not part of any segment
                    result.append(label)
                    continue
                if previous is None or number != previous + 1:
                    mood = 0                        # a new segment starts with no mood
                previous = number
                if label < 0:
                    result.append(label)
                    continue
                if label != 0:
                    mood = label
                result.append(mood)
                total += 1
                changed += mood != label
            with open(path, "w") as f:
                f.write("\n".join([header] + [str(x) for x in result]) + "\n")
    print(f"{total} labeled frames with images, {changed} relabeled ({changed / max(total, 1):.1%})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
