#!/usr/bin/python3
"""Learnability probe for the synthetic dataset (not run by the tests; a sanity check for people changing the generator).

Generate the default dataset (for example `emotion demo`, or SyntheticDatasetGenerator.Generate(root)), then run with
Debian's python3 (numpy, scikit-learn, Pillow):
    /usr/bin/python3 probe_synthetic.py ROOT 32
It fits a linear classifier (categories) and ridge regressions (valence, arousal) on single grey frames resized to
32 x 32 pixels of Training_Set and scores Validation_Set. Measured on the default dataset (seed 2019): macro F1 0.304
(chance 1/7 = 0.143), accuracy 0.461, CCC valence 0.391, CCC arousal 0.521. A CNN with temporal context should do
clearly better; a linear model on raw pixels cannot reach the ceiling because faces move and differ per video.
"""
import os, sys, time, numpy as np
from PIL import Image
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score, accuracy_score
root = sys.argv[1]; S = int(sys.argv[2])
def load(split):
    X, Y, V = [], [], []
    d = os.path.join(root, 'annotations', 'EXPR_Set', split)
    for f in sorted(os.listdir(d)):
        vid = f[:-4]
        ex = [int(l) for l in open(os.path.join(d, f)).read().split('\n')[1:] if l.strip()]
        va = [tuple(map(float, l.split(','))) for l in open(os.path.join(root, 'annotations', 'VA_Set', split, f)).read().split('\n')[1:] if l.strip()]
        fd = os.path.join(root, 'cropped_aligned', vid)
        for n in sorted(int(x[:-4]) for x in os.listdir(fd)):
            X.append(np.asarray(Image.open(os.path.join(fd, '%05d.jpg' % n)).convert('L').resize((S, S), Image.BILINEAR), dtype=np.float32).ravel() / 255)
            Y.append(ex[n-1]); V.append(va[n-1])
    return np.array(X), np.array(Y), np.array(V)
def ccc(p, t):
    pm, tm = p.mean(), t.mean(); return 2 * ((p - pm) * (t - tm)).mean() / (p.var() + t.var() + (pm - tm) ** 2)
t0 = time.time()
Xtr, Ytr, Vtr = load('Training_Set'); Xva, Yva, Vva = load('Validation_Set')
print('loaded', Xtr.shape, Xva.shape, '%.1fs' % (time.time() - t0))
m = Ytr >= 0; mv = Yva >= 0
clf = LogisticRegression(max_iter=300, C=0.05).fit(Xtr[m], Ytr[m])
p = clf.predict(Xva[mv])
print('linear probe (single frames, grey %dpx): macro F1 %.3f acc %.3f' % (S, f1_score(Yva[mv], p, average='macro'), accuracy_score(Yva[mv], p)))
for j, name in enumerate(['valence', 'arousal']):
    m = Vtr[:, j] > -5; mv = Vva[:, j] > -5
    r = Ridge(alpha=10).fit(Xtr[m], Vtr[m, j])
    print('ridge probe %s CCC %.3f' % (name, ccc(r.predict(Xva[mv]), Vva[mv, j])))
print('total %.1fs' % (time.time() - t0))
