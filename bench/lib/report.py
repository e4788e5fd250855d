"""Results of one run: samples per figure and peer, medians, ratios to C, the table.

Every figure is the median of its per-round samples. Every ratio to C is paired: the
median over rounds of (peer's sample / C's sample of the same round), because the peers
of one round ran seconds apart while rounds lie minutes apart on a machine whose speed
drifts; a drift then cancels out instead of landing on whichever peer it hit. Two kinds of noise are reported under the table: a figure whose middle
samples (interquartile range) spread by more than NOISY of the median moves round after
round; a round whose sample lies more than OUTLIER from the median is an odd round, and
when every peer is odd in the same round the machine, not a server, was disturbed.
"""
import json

NOISY = 0.10
OUTLIER = 0.25
BASELINE = "c"


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return None
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


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
        return median(self.samples[key][peer])

    def ratio(self, key, peer, baseline=BASELINE):
        """Median of the per-round ratios peer / baseline (samples are indexed by round)."""
        if baseline not in self.samples[key]:
            return None
        pairs = [x / b for x, b in zip(self.samples[key][peer], self.samples[key][baseline]) if b]
        return median(pairs) if pairs else None

    def spread(self, key, peer):
        """Interquartile range over the median (the full range below four samples)."""
        xs, m = sorted(self.samples[key][peer]), self.median(key, peer)
        if not xs or not m:
            return 0.0
        q = len(xs) // 4 if len(xs) >= 4 else 0
        return (xs[-1 - q] - xs[q]) / m

    def outlier_rounds(self, key, peer):
        m = self.median(key, peer)
        return [i for i, x in enumerate(self.samples[key][peer]) if m and abs(x - m) / m > OUTLIER]

    def to_json(self):
        return {
            "samples": self.samples,
            "failures": ["%s, %s: %s" % (p, u, r) for (u, p), r in self.failures.items()],
            "notes": self.notes,
            "extra": self.extra,
        }


def fmt(value, digits):
    return format(value, ",.%df" % digits)


def target_text(target, baseline_title="C"):
    if not target:
        return ""
    kind, op, value = target[:3]
    sign = {"<=": "≤", ">=": "≥", "<": "<"}[op]
    text = "%s %g× %s" % (sign, value, baseline_title) if kind == "ratio" else "%s %g ms" % (sign, value)
    return text + (" and below %s" % target[3] if len(target) > 3 else "")


def target_met(target, value, ratio, rival=None):
    kind, op, limit = target[:3]
    x = ratio if kind == "ratio" else value
    met = {"<=": x <= limit, ">=": x >= limit, "<": x < limit}[op]
    return met and (len(target) < 4 or (rival is not None and value < rival))


def cell(res, row, peer):
    v = res.median(row.key, peer.key)
    if v is None:
        return "failed" if res.failed(row.unit, peer.key) else "—"
    text = fmt(v, row.digits)
    ratio = res.ratio(row.key, peer.key, row.baseline) if peer.key != row.baseline else None
    if ratio is not None:
        text += " (%.2f×)" % ratio
    if res.spread(row.key, peer.key) > NOISY:
        text += " ~"
    return text


def target_cell(res, row):
    base = {p.key: p.title for p in res.peers}.get(row.baseline, row.baseline)
    if not row.target or "netmcu" not in res.samples[row.key]:
        return target_text(row.target, base)
    text = target_text(row.target, base)
    v, ratio = res.median(row.key, "netmcu"), res.ratio(row.key, "netmcu", row.baseline)
    rival = res.median(row.key, row.target[3]) if len(row.target) > 3 else None
    if v is not None and (ratio is not None or row.target[0] == "abs"):
        text += " ✓" if target_met(row.target, v, ratio, rival) else " ✗"
    return text


def table(res):
    head = ["Workload", "Figure"] + [p.title for p in res.peers] + ["netmcu target"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---", "---"] + ["--:"] * len(res.peers) + ["---"]) + "|"]
    for row in res.rows:
        if not any(res.samples[row.key][p.key] or res.failed(row.unit, p.key) for p in res.peers):
            continue  # a workload left out of this run
        cells = [cell(res, row, p) for p in res.peers]
        lines.append("| " + " | ".join([row.label, row.figure] + cells
                                       + [target_cell(res, row)]) + " |")
    return "\n".join(lines)


def noisy_lines(res):
    out = []
    for row in res.rows:
        hits = ["%s %.0f%%" % (p.title, 100 * res.spread(row.key, p.key))
                for p in res.peers if res.spread(row.key, p.key) > NOISY]
        if hits:
            out.append("%s, %s: %s" % (row.label, row.figure.rstrip(" ↑↓"), ", ".join(hits)))
    return out


def short_name(res, row):
    """A figure's name within its unit: "50 conn p99 latency µs" where labels differ."""
    labels = {r.label for r in res.rows if r.unit == row.unit}
    prefix = row.label.rsplit(", ", 1)[-1] + " " if len(labels) > 1 else ""
    return prefix + row.figure.rstrip(" ↑↓")


def outlier_lines(res):
    """Odd rounds, grouped by workload and round: which peers were off, on which figures."""
    odd = {}
    for row in res.rows:
        for p in res.peers:
            for i in res.outlier_rounds(row.key, p.key):
                odd.setdefault((row.unit, i), {}).setdefault(p.title, []).append(short_name(res, row))
    out = []
    for (unit, i), peers in sorted(odd.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        who = "; ".join("%s (%s)" % (t, ", ".join(f)) for t, f in peers.items())
        everyone = len(peers) == sum(1 for p in res.peers if any(
            res.samples[r.key][p.key] for r in res.rows if r.unit == unit))
        out.append("round %d, %s: %s%s" % (i + 1, unit, who,
                                           " — every peer, so the machine" if everyone else ""))
    return out


def notes(res, rounds):
    titles = {p.key: p.title for p in res.peers}
    out = ["Figures are medians of %d rounds; (N×) is the ratio to %s, the median of the "
           "per-round ratios (peers of one round ran seconds apart; the DNS rows compare with "
           "Node.js, the other c-ares client); ↑ higher is better, "
           "↓ lower is better." % (rounds, titles.get(BASELINE, BASELINE))]
    noisy = noisy_lines(res)
    if noisy:
        out.append("~ noisy: the middle samples spread by more than %d%% of the median "
                   "(interquartile range / median): " % (100 * NOISY) + "; ".join(noisy) + ".")
    odd = outlier_lines(res)
    if odd:
        out.append("Odd rounds (a sample more than %d%% from its median; the median ignores it): "
                   % (100 * OUTLIER) + "; ".join(odd) + ".")
    if "spawn_ms" in res.extra:
        spawn = median(res.extra["spawn_ms"])
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
