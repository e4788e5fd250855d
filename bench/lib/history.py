"""The bench's history and its regression guard (issue 21).

Every run is kept as bench/results/history/YYYYMMDD-HHMM-COMMIT.json: per figure and peer
the median, its noise (interquartile range over the median, report.Results.spread), the
ratio to the row's baseline and that ratio's noise. Committing a run's file makes it the
reference of the next runs: comparison() sets each netmcu figure of this run beside the
newest committed file and flags ("⚠") a figure that moved the wrong way by more than its
noise — the larger of the two runs' spreads, and never less than report.NOISY. The ratio
to the baseline decides where both runs have one (both peers ran seconds apart on the same
machine, so a faster or slower machine cancels out); the figure itself decides otherwise.
"""
import datetime
import json
import os
import subprocess

import report

COMPARED = ("netmcu", "netmcu53")  # the peers whose figures are guarded


def ratio_spread(res, key, peer, baseline):
    if baseline not in res.samples[key]:
        return 0.0
    pairs = sorted(x / b for x, b in zip(res.samples[key][peer], res.samples[key][baseline]) if b)
    m = report.median(pairs)
    if not pairs or not m:
        return 0.0
    q = len(pairs) // 4 if len(pairs) >= 4 else 0
    return (pairs[-1 - q] - pairs[q]) / m


def figures(res):
    out = {}
    for row in res.rows:
        for p in res.peers:
            m = res.median(row.key, p.key)
            if m is None:
                continue
            ratio = res.ratio(row.key, p.key, row.baseline) if p.key != row.baseline else None
            out.setdefault(row.key, {})[p.key] = {
                "median": m, "spread": res.spread(row.key, p.key), "ratio": ratio,
                "ratio_spread": ratio_spread(res, row.key, p.key, row.baseline) if ratio else None,
                "rounds": len(res.samples[row.key][p.key])}
    return out


def git(*args):
    r = subprocess.run(["git"] + list(args), capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


def record(directory, res, versions):
    """Writes this run's file; returns its path."""
    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    commit = git("rev-parse", "--short", "HEAD") or "nocommit"
    path = os.path.join(directory, "%s-%s.json" % (now.strftime("%Y%m%d-%H%M"), commit))
    with open(path, "w") as f:
        json.dump({"when": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": commit,
                   "versions": versions, "figures": figures(res)}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return path


def previous(directory):
    """The newest run committed under directory, as (name, data), or None."""
    names = sorted(os.path.basename(p) for p in git("ls-files", "--", directory).splitlines()
                   if p.endswith(".json"))
    if not names:
        return None
    with open(os.path.join(directory, names[-1])) as f:
        return names[-1], json.load(f)


def change_cell(row, now, before):
    """(text, flagged) for one figure of one peer."""
    use_ratio = now.get("ratio") and before.get("ratio")
    a, b = (before["ratio"], now["ratio"]) if use_ratio else (before["median"], now["median"])
    if not a:
        return "—", False
    spreads = ((now.get("ratio_spread"), before.get("ratio_spread")) if use_ratio
               else (now["spread"], before["spread"]))
    noise = max([report.NOISY] + [s for s in spreads if s])
    change = b / a - 1
    worse = -change if row.higher_better else change
    text = "%s → %s (%+.0f%%%s, noise %.0f%%)" % (
        report.fmt(before["median"], row.digits), report.fmt(now["median"], row.digits),
        100 * change, " of the ratio to %s" % row.baseline if use_ratio else "", 100 * noise)
    if worse > noise:
        return text + " ⚠ worse", True
    if -worse > noise:
        return text + " better", False
    return text, False


def comparison(res, prev):
    """A markdown section: each guarded figure against the previous committed run."""
    if prev is None:
        return ("No committed run in bench/results/history/ to compare with: commit this "
                "run's file there to make it the reference.")
    name, data = prev
    now = figures(res)
    peers = [p for p in res.peers if p.key in COMPARED]
    lines = ["Change against the previous committed run (%s, %s):" % (name, data.get("when", "?")), "",
             "| Workload | Figure | " + " | ".join(p.title for p in peers) + " |",
             "|---|---|" + "---|" * len(peers)]
    flagged = []
    for row in res.rows:
        cells, seen = [], False
        for p in peers:
            a, b = data["figures"].get(row.key, {}).get(p.key), now.get(row.key, {}).get(p.key)
            if not a or not b:
                cells.append("—")
                continue
            seen = True
            text, bad = change_cell(row, b, a)
            cells.append(text)
            if bad:
                flagged.append("%s %s, %s" % (p.title, row.label, row.figure.rstrip(" ↑↓")))
        if seen:
            lines.append("| %s | %s | %s |" % (row.label, row.figure, " | ".join(cells)))
    lines += ["", ("⚠ moved the wrong way by more than their noise: " + "; ".join(flagged) + ".")
              if flagged else "No figure moved the wrong way by more than its noise."]
    return "\n".join(lines)
