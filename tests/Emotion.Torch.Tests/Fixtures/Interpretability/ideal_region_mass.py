"""Upper bound on the Grad-CAM mass a map on a coarse layer grid can put inside the synthetic faces' regions.

Run with Debian's /usr/bin/python3 (torch 1.13). For each region of Emotion.Preprocessing.Synthetic.SyntheticFaces.RegionOf
(normalised boxes as printed by NormalizedRegion.ToString) and each grid (input size / layer stride), the "ideal" map sets
each grid cell to the share of the cell inside the region's pixels (NormalizedRegion.ToPixels), keeps the cells above a
threshold (the best of a few), upsamples bilinearly between the cell centres (pixel stride * j, as EmotionExplainer's traced
FeatureGrid places them for the small CNN) and min-max normalises as EmotionExplainer does, and reports the share of the map's sum inside the region. Quoted in docs/interpretability.md. The boxes are rounded to
three decimals, so a box's pixel area can differ slightly from the library's (as printed by TrainedGradCamRegionTests).
"""
import math

import torch
import torch.nn.functional as F

REGIONS = {  # x0, y0, x1, y1 (normalised)
    "anger (brows)": (0.189, 0.208, 0.811, 0.455),
    "disgust (nose and furrows)": (0.291, 0.393, 0.709, 0.709),
    "fear (eyes and brows)": (0.189, 0.194, 0.811, 0.568),
    "happiness/sadness/surprise (mouth)": (0.282, 0.562, 0.718, 0.938),
}


def to_pixels(region, size):
    x0, y0, x1, y1 = region
    return (max(0, math.ceil(x0 * size - 0.5)), max(0, math.ceil(y0 * size - 0.5)),
            min(size - 1, math.floor(x1 * size - 0.5)), min(size - 1, math.floor(y1 * size - 0.5)))


def upsample_between_centres(grid, size, stride):
    """Bilinear between cell centres stride * j (the small CNN's same-padded stride-2 convolutions), clamped at the edges."""
    h = grid.shape[-1]
    u = torch.arange(size, dtype=torch.float64) / stride
    norm = (2 * u / (h - 1) - 1).float()
    gy, gx = torch.meshgrid(norm, norm, indexing="ij")
    return F.grid_sample(grid, torch.stack([gx, gy], -1)[None], mode="bilinear", padding_mode="border", align_corners=True)


def best_mass(region, size, stride):
    x0, y0, x1, y1 = to_pixels(region, size)
    mask = torch.zeros(size, size)
    mask[y0:y1 + 1, x0:x1 + 1] = 1
    # cell j is centred on pixel stride * j and covers the pixels nearest to it
    half = stride // 2
    cells = F.avg_pool2d(F.pad(mask[None, None], (half, 0, half, 0)), stride)
    best = 0.0
    for threshold in (0.0, 0.25, 0.5, 0.75, 0.99):
        grid = torch.where(cells > threshold, cells, torch.zeros_like(cells))
        if grid.sum() == 0:
            continue
        up = upsample_between_centres(grid, size, stride)[0, 0]
        up = (up - up.min()) / (up.max() - up.min() + 1e-7)
        best = max(best, float((up * mask).sum() / up.sum()))
    return best, float(mask.mean())


for size in (48, 64, 96):
    for stride in (8, 16):
        cells = size // stride
        parts = [f"{name} {best_mass(r, size, stride)[0]:.2f} (area {best_mass(r, size, stride)[1]:.3f})" for name, r in REGIONS.items()]
        print(f"{size} px, {cells}x{cells} grid: " + ", ".join(parts))
