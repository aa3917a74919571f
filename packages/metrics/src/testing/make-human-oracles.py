"""Writes human-oracles.json: reference values for the human-evaluation statistics of
@dialogpt/metrics, computed by independent implementations (SciPy, statsmodels, NLTK).

Run in a throwaway venv from the machine's wheel mirror:
    python3 -m venv /tmp/oracle && /tmp/oracle/bin/pip install scipy statsmodels nltk
    /tmp/oracle/bin/python make-human-oracles.py [DSTC7_HUMAN_EVAL_DIR] > human-oracles.json
Only numbers are stored; the DSTC-7 data stays in ../shared and is read from there by the tests.
"""
import json
import sys
import collections
import numpy as np
import scipy
import scipy.stats as st
import statsmodels
import nltk
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import binary_distance
from statsmodels.stats.inter_rater import fleiss_kappa, aggregate_raters

out = {
    "generated_by": "packages/metrics/src/testing/make-human-oracles.py",
    "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "nltk": nltk.__version__},
}

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units,
# values 1..5, missing values as null. Published: nominal .743, ordinal .815, interval .849, ratio .797.
kripp = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
triples = [(f"c{c}", str(u), v) for c, row in enumerate(kripp) for u, v in enumerate(row) if v is not None]


def ordinal_distance_for(values):
    # Krippendorff's ordinal metric from the pairable values' frequencies n_g (units with >= 2 values).
    by_unit = collections.defaultdict(list)
    for _, u, v in values:
        by_unit[u].append(v)
    n = collections.Counter(v for vs in by_unit.values() if len(vs) >= 2 for v in vs)
    cats = sorted(n)

    def d(a, b):
        lo, hi = min(a, b), max(a, b)
        s = sum(n[g] for g in cats if lo <= g <= hi)
        return (s - (n[a] + n[b]) / 2) ** 2

    return d


def alpha(values, distance):
    return AnnotationTask(data=values, distance=distance).alpha()


out["krippendorff2011"] = {
    "source": "Krippendorff 2011, section C worked example; values by nltk.metrics.agreement.AnnotationTask.alpha with each level's distance",
    "reliability_data": kripp,
    "published": {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797},
    "nominal": alpha(triples, binary_distance),
    "ordinal": alpha(triples, ordinal_distance_for(triples)),
    "interval": alpha(triples, lambda a, b: (a - b) ** 2),
    "ratio": alpha(triples, lambda a, b: ((a - b) / (a + b)) ** 2),
}

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses. Published kappa .430.
fleiss1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]
table1971, _ = aggregate_raters(np.array(fleiss1971))
# The example of Wikipedia's "Fleiss' kappa" article (14 raters, 10 subjects), also statsmodels' test case.
wikipedia = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
out["fleiss"] = {
    "source": "statsmodels.stats.inter_rater.fleiss_kappa",
    "fleiss1971": {"table": table1971.tolist(), "published": 0.430, "kappa": float(fleiss_kappa(table1971))},
    "wikipedia": {"table": wikipedia, "published": 0.210, "kappa": float(fleiss_kappa(np.array(wikipedia)))},
}

# Correlations: seeded vectors, with and without ties, against SciPy.
rng = np.random.default_rng(20261207)
cases = []
specs = [("n10", 10, False), ("n10-ties", 10, True), ("n200", 200, False), ("n500-ties", 500, True), ("n3-tie", 3, None), ("likert-2000", 2000, "likert")]
for name, n, ties in specs:
    x = rng.normal(size=n)
    y = 0.6 * x + rng.normal(size=n)
    if ties is True:
        x = np.round(x * 2) / 2
        y = np.round(y)
    if ties == "likert":
        # As segment-level correlation sees it: a metric against means of 6 ratings from 1 to 5.
        y = np.clip(np.round(3 + y * 3) / 6 + 2, 1, 5)
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    if ties is None:
        x, y = [1.0, 2.0, 2.0], [3.0, 1.0, 2.0]
    cases.append({
        "name": name, "x": x, "y": y,
        "pearson": float(st.pearsonr(x, y).statistic),
        "spearman": float(st.spearmanr(x, y).statistic),
        "kendall": float(st.kendalltau(x, y).statistic),
    })
out["correlations"] = {"source": "scipy.stats.pearsonr / spearmanr / kendalltau (tau-b)", "cases": cases}

# Exact two-sided sign tests (binomial, p = 0.5), including the paper's Table 7 counts.
pairs = [(3, 1), (10, 10), (0, 7), (60, 40), (3462, 899), (2716, 3021), (2847, 2832), (2722, 3044)]
out["sign_test"] = {"source": "scipy.stats.binomtest(a, a + b, 0.5).pvalue", "cases": [{"a": a, "b": b, "p": float(st.binomtest(a, a + b, 0.5).pvalue)} for a, b in pairs]}

# DSTC-7 per-judge ratings (read here independently): per-system means per criterion, and alpha.
if len(sys.argv) > 1:
    path = sys.argv[1] + "/dstc7-task2-human-eval-per-judge.tsv"
    rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8-sig")][1:]
    means = {}
    for ci, crit in [(3, "Relevance"), (4, "Informativeness")]:
        acc = collections.defaultdict(list)
        for r in rows:
            acc[r[2]].append(int(r[ci]))
        means[crit] = {s: float(np.mean(v)) for s, v in sorted(acc.items())}
    alphas = {}
    for ci, crit in [(3, "Relevance"), (4, "Informativeness")]:
        # One coder slot per row within its (instance, system) unit, so a judge's repeated rating counts twice.
        slot = collections.Counter()
        data = []
        for r in rows:
            unit = r[1] + "/" + r[2]
            data.append((f"slot{slot[unit]}", unit, int(r[ci])))
            slot[unit] += 1
        alphas[crit] = {"interval": alpha(data, lambda a, b: (a - b) ** 2)}
    out["dstc7"] = {"source": "numpy.mean per system and criterion; nltk AnnotationTask.alpha (interval) with (instance, system) as units", "means": means, "alpha": alphas}

json.dump(out, sys.stdout, indent=1)
print()
