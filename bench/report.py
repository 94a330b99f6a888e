"""Writes compare.sh's results into docs/performance.md, between its two markers.

Reads hyperfine's JSON exports and peak-memory files under bench/out/n<SIZE>/, the
passphrase timing, and criterion's estimates under target/criterion/. Everything outside the
markers (the discussion) is left as it is; a missing file is created with the markers only.
"""

import datetime
import glob
import json
import os
import platform
import re

ROOT = os.environ["ROOT"]
WORK = os.environ["WORK"]
# Every size measured so far: a re-run of some rows (SIZES=…, OPS=…) keeps the others.
SIZES = sorted(
    int(d[1:]) for d in os.listdir(WORK) if d.startswith("n") and d[1:].isdigit()
)
DOC = os.path.join(ROOT, "docs", "performance.md")
BEGIN = "<!-- compare.sh: begin (generated; edit outside these markers) -->"
END = "<!-- compare.sh: end -->"

OPS = [
    ("add", "add one reflection"),
    ("list", "list latest 20"),
    ("search", "search two words"),
    ("tag", "filter by a tag"),
    ("export", "export everything (JSON)"),
]
# Targets at 100,000 reflections (ms), as issue 11 set them; export has none of its own.
TARGET_MS = {"add": 10, "list": 50, "search": 250, "tag": 250}
TARGET_RSS_MIB = 150
TARGET_RATIO = 20
RATIO_SIZE = 10_000
RETREAT = "retreat summary/open + parse + build + render/1000"
TARGET_RETREAT_S = 1.0
# Criterion means by benchmark id (ns), filled by criterion().
CRITERION_NS = {}


def timing(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        r = json.load(f)["results"][0]
    return {
        "mean": r["mean"] * 1000,
        "stddev": (r.get("stddev") or 0) * 1000,
        "runs": len(r["times"]),
        "single": bool(r.get("single_run")),
    }


def rss_mib(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return int(f.read().split()[-1]) / 1024


def ms(t):
    if t is None:
        return "—"
    m = t["mean"]
    if t["single"]:
        if m >= 120_000:
            return f"{m / 60_000:.1f} min (one run)"
        return f"{m / 1000:.1f} s (one run)" if m >= 1000 else f"{m:.0f} ms (one run)"
    if m >= 10_000:
        return f"{m / 1000:.1f} s ± {t['stddev'] / 1000:.1f}"
    if m >= 1000:
        return f"{m / 1000:.2f} s ± {t['stddev'] / 1000:.2f}"
    if m >= 100:
        return f"{m:.0f} ms ± {t['stddev']:.0f}"
    return f"{m:.1f} ms ± {t['stddev']:.1f}"


def mib(v):
    return "—" if v is None else f"{v:.0f} MiB"


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def machine():
    cpu = "unknown CPU"
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) / 1024 / 1024
    osname = "Linux"
    for line in read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            osname = line.split("=", 1)[1].strip('"')
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; {osname}, kernel {platform.release()}"


def results():
    rows = []
    data = {}
    for n in SIZES:
        d = os.path.join(WORK, f"n{n}")
        for op, label in OPS:
            t = timing(os.path.join(d, f"tend-{op}.json"))
            j = timing(os.path.join(d, f"jrnl-{op}.json"))
            tr = rss_mib(os.path.join(d, f"tend-{op}.rss"))
            jr = rss_mib(os.path.join(d, f"jrnl-{op}.rss"))
            if t is None and j is None:
                continue
            data[(op, n)] = (t, j, tr, jr)
            ratio = f"{j['mean'] / t['mean']:,.0f}×" if j and t else "—"
            rows.append(f"| {label} | {n:,} | {ms(t)} | {ms(j)} | {ratio} | {mib(tr)} | {mib(jr)} |")
    return rows, data


def targets(data):
    big = max(SIZES)
    out = []
    for op, label in OPS:
        if op not in TARGET_MS:
            continue
        t = data.get((op, big), (None,))[0]
        if t is None:
            continue
        goal = TARGET_MS[op]
        verdict = "met" if t["mean"] < goal else f"**missed by {t['mean'] - goal:.0f} ms ({t['mean'] / goal:.2f}×)**"
        out.append(f"| {label} at {big:,} | < {goal} ms | {t['mean']:.1f} ms | {verdict} |")
    peak = max((data[(op, big)][2] or 0) for op in TARGET_MS if (op, big) in data)
    worst = max(TARGET_MS, key=lambda op: data.get((op, big), (None, None, 0))[2] or 0)
    verdict = "met" if peak < TARGET_RSS_MIB else f"**missed by {peak - TARGET_RSS_MIB:.0f} MiB**"
    out.append(f"| peak memory at {big:,} (add, list, search, tag) | < {TARGET_RSS_MIB} MiB | {peak:.0f} MiB ({worst}) | {verdict} |")
    if RATIO_SIZE in SIZES:
        for op, label in OPS:
            t, j, _, _ = data.get((op, RATIO_SIZE), (None, None, None, None))
            if t is None or j is None:
                continue
            r = j["mean"] / t["mean"]
            verdict = "met" if r >= TARGET_RATIO else f"**missed ({r:.1f}×)**"
            out.append(f"| {label} at {RATIO_SIZE:,}: faster than jrnl | ≥ {TARGET_RATIO}× | {r:.0f}× | {verdict} |")
    if RETREAT in CRITERION_NS:
        t = CRITERION_NS[RETREAT] / 1e9
        verdict = "met" if t < TARGET_RETREAT_S else f"**missed by {t - TARGET_RETREAT_S:.2f} s**"
        out.append(
            f"| retreat summary from 1,000 contributions (open each age file, parse, build, "
            f"render Markdown and HTML; criterion) | < {TARGET_RETREAT_S:.0f} s | {t * 1000:.0f} ms | {verdict} |"
        )
    return out


def criterion():
    rows = []
    for bench in sorted(glob.glob(os.path.join(ROOT, "target", "criterion", "**", "new", "benchmark.json"), recursive=True)):
        new = os.path.dirname(bench)
        with open(bench) as f:
            meta = json.load(f)
        try:
            with open(os.path.join(new, "estimates.json")) as f:
                est = json.load(f)
        except OSError:
            continue
        mean = est["mean"]["point_estimate"]  # nanoseconds
        lo = est["mean"]["confidence_interval"]["lower_bound"]
        hi = est["mean"]["confidence_interval"]["upper_bound"]
        per = ""
        tp = meta.get("throughput") or {}
        if "Elements" in tp:
            per = f"{mean / tp['Elements'] / 1000:.2f} µs each"
        rows.append((meta["full_id"], fmt_ns(mean), f"{fmt_ns(lo)} – {fmt_ns(hi)}", per))
        CRITERION_NS[meta["full_id"]] = mean
    order = ["record", "insert", "read", "retreat"]
    rows.sort(key=lambda r: (next((i for i, p in enumerate(order) if r[0].startswith(p)), 9), r[0]))
    return [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]


def fmt_ns(ns):
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def scrypt_note(scrypt, ident, small):
    if scrypt is None or ident is None:
        return "(The passphrase's cost was not measured in these runs.)"
    return (
        "tend opens its journal with an identity file in these figures. Opened by its passphrase "
        f"instead (scrypt at age's calibrated work factor), the same `tend list -n 20` over {small:,} "
        f"reflections takes {ms(scrypt)} against {ms(ident)}: the passphrase costs about "
        f"{(scrypt['mean'] - ident['mean']) / 1000:.2f} s, once per command, on purpose."
    )


def main():
    rows, data = results()
    criterion_rows = criterion()
    scrypt = timing(os.path.join(WORK, "scrypt.json"))
    small = int(read(os.path.join(WORK, "scrypt-size.txt"), str(min(SIZES))))
    ident = data.get(("list", small), (None,))[0]
    runs = read(os.path.join(WORK, "runs.log")).splitlines()
    lines = [
        BEGIN,
        "",
        f"Written {datetime.date.today().isoformat()} by `bench/compare.sh`, from these runs of it:",
        "",
        *[f"- {run}" for run in runs],
        "",
        f"- Machine: {machine()}",
        f"- tend: {os.environ['TEND_VERSION']} (release build, {os.environ['RUSTC_VERSION']})",
        f"- jrnl: {os.environ['JRNL_VERSION_TEXT']} from PyPI, {os.environ['PYTHON_VERSION']}, encrypted journal (v3: PBKDF2-HMAC-SHA256 100,000 rounds + Fernet)",
        f"- Timing: {os.environ['HYPERFINE_VERSION']} (`-N`, no shell), mean ± σ; a jrnl operation whose first run took over a minute is not repeated; peak memory: GNU time, maximum resident set size of one run",
        "",
        "| operation | reflections | tend | jrnl 4.6 | jrnl ÷ tend | tend peak memory | jrnl peak memory |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        scrypt_note(scrypt, ident, small),
        "",
        "### Targets",
        "",
        "| target | goal | measured | |",
        "|---|---:|---:|---|",
        *targets(data),
        "",
    ]
    if criterion_rows:
        lines += [
            "### criterion (`cargo bench -p tend-tests --bench store --bench retreat -- --warm-up-time 1 --measurement-time 3`, the latest results in `target/criterion/`)",
            "",
            "| benchmark | mean | 95% interval | per element |",
            "|---|---:|---:|---:|",
            *criterion_rows,
            "",
        ]
    lines.append(END)
    block = "\n".join(lines)

    text = read(DOC, "")
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = (text + "\n\n" if text else "# Performance\n\n") + block + "\n"
    with open(DOC, "w") as f:
        f.write(text if text.endswith("\n") else text + "\n")


if __name__ == "__main__":
    main()
