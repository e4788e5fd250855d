"""Results of one run: samples per figure and peer, medians, ratios to C, the table.

Every figure is the median of its per-round samples; every ratio divides two medians of
the same run. A figure whose samples spread by more than NOISY of the median is listed as
noisy under the table.
"""
import json

NOISY = 0.10
BASELINE = "c"


class Results:
    def __init__(self, rows, peers):
        self.rows, self.peers = rows, peers
        self.samples = {r.key: {p.key: [] for p in peers} for r in rows}
        self.failures = {}   # (unit, peer key) -> reason
        self.notes = []
        self.extra = {}

    def record(self, key, peer, value):
        self.samples[key][peer].append(value)

    def record_extra(self, key, value):
        self.extra.setdefault(key, []).append(value)

    def fail(self, unit, peer, reason):
        self.failures.setdefault((unit, peer), reason)

    def failed(self, unit, peer):
        return (unit, peer) in self.failures

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def median(self, key, peer):
        xs = sorted(self.samples[key][peer])
        if not xs:
            return None
        n = len(xs)
        return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

    def spread(self, key, peer):
        xs, m = self.samples[key][peer], self.median(key, peer)
        return (max(xs) - min(xs)) / m if xs and m else 0.0

    def to_json(self):
        return {
            "samples": self.samples,
            "failures": ["%s, %s: %s" % (p, u, r) for (u, p), r in self.failures.items()],
            "notes": self.notes,
            "extra": self.extra,
        }


def fmt(value, digits):
    return format(value, ",.%df" % digits)


def target_text(target):
    if not target:
        return ""
    kind, op, value = target
    sign = {"<=": "≤", ">=": "≥", "<": "<"}[op]
    return "%s %g× C" % (sign, value) if kind == "ratio" else "%s %g ms" % (sign, value)


def target_met(target, value, ratio):
    kind, op, limit = target
    x = ratio if kind == "ratio" else value
    return {"<=": x <= limit, ">=": x >= limit, "<": x < limit}[op]


def cell(res, row, peer, base):
    v = res.median(row.key, peer.key)
    if v is None:
        return "failed" if res.failed(row.unit, peer.key) else "—"
    text = fmt(v, row.digits)
    if peer.key != BASELINE and base:
        text += " (%.2f×)" % (v / base)
    if res.spread(row.key, peer.key) > NOISY:
        text += " ~"
    return text


def target_cell(res, row, base):
    if not row.target:
        return ""
    text = target_text(row.target)
    v = res.median(row.key, "netmcu")
    if v is not None and (base or row.target[0] == "abs"):
        text += " ✓" if target_met(row.target, v, v / base if base else 0) else " ✗"
    return text


def table(res):
    head = ["Workload", "Figure"] + [p.title for p in res.peers] + ["netmcu target"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---", "---"] + ["--:"] * len(res.peers) + ["---"]) + "|"]
    for row in res.rows:
        if not any(res.samples[row.key][p.key] or res.failed(row.unit, p.key) for p in res.peers):
            continue  # a workload left out of this run
        base = res.median(row.key, BASELINE)
        cells = [cell(res, row, p, base) for p in res.peers]
        lines.append("| " + " | ".join([row.label, row.figure] + cells
                                       + [target_cell(res, row, base)]) + " |")
    return "\n".join(lines)


def noisy_lines(res):
    out = []
    for row in res.rows:
        hits = ["%s %.0f%%" % (p.title, 100 * res.spread(row.key, p.key))
                for p in res.peers if res.spread(row.key, p.key) > NOISY]
        if hits:
            out.append("%s, %s: %s" % (row.label, row.figure.rstrip(" ↑↓"), ", ".join(hits)))
    return out


def notes(res, rounds):
    titles = {p.key: p.title for p in res.peers}
    out = ["Figures are medians of %d rounds; (N×) is the ratio to %s of the same run; "
           "↑ higher is better, ↓ lower is better." % (rounds, titles[BASELINE])]
    noisy = noisy_lines(res)
    if noisy:
        out.append("~ noisy: samples spread by more than %d%% of the median (max−min)/median: "
                   % (100 * NOISY) + "; ".join(noisy) + ".")
    if "spawn_ms" in res.extra:
        spawn = sorted(res.extra["spawn_ms"])[len(res.extra["spawn_ms"]) // 2]
        out.append("Start-up times are posix_spawn to waitpid on the server core; "
                   "`true` takes %.2f ms the same way." % spawn)
    for (unit, peer), reason in res.failures.items():
        out.append("%s failed %s: %s" % (titles[peer], unit, reason))
    out += res.notes
    return out


def markdown(res, rounds, header):
    parts = [header, "", table(res), ""]
    parts += ["- " + n for n in notes(res, rounds)]
    return "\n".join(parts) + "\n"


def write(path_md, path_json, text, res, meta):
    with open(path_md, "w") as f:
        f.write(text)
    with open(path_json, "w") as f:
        json.dump(dict(meta, **res.to_json()), f, indent=1, ensure_ascii=False)
        f.write("\n")
