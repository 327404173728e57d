#!/usr/bin/env python3
"""Turns the output of bench/run_all.sh into tables: the current figures against their targets,
and every benchmark of the suite.

    bench/summarize.py RESULTS_DIR                       # prints summary.md
    bench/summarize.py RESULTS_DIR --update docs/BENCHMARKS.md

RESULTS_DIR holds what run_all.sh writes: machine.txt, bench.json (Google Benchmark),
cli_list.json and cli_search.json (hyperfine), cli_compare.jsonl (compare_cli.sh), memory.txt, latency.json, peer_latency.json and
showcase_scale.jsonl (bench/showcase_scale.sh: one JSON object a line, per backend and metric) and
fleet_sync.jsonl (leanspec_fleet_sync: one JSON line per pass).
A figure whose file is missing is reported as "not measured". --update replaces the table
between the markers `<!-- current-figures:begin -->` and `<!-- current-figures:end -->` of the
given Markdown file, so that the figures in the docs are the ones a run printed, never typed.
Standard library only; nothing is asserted.
"""
import argparse
import json
import os
import re
import sys

BEGIN, END = "<!-- current-figures:begin -->", "<!-- current-figures:end -->"
TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def load_json(path):
    text = read(path)
    return None if text is None else json.loads(text)


def fmt_us(us):
    if us < 1:
        return f"{us * 1e3:.0f} ns"
    if us < 1000:
        return f"{us:.1f} µs"
    return f"{us / 1e3:.1f} ms"


class Results:
    def __init__(self, out):
        self.out = out
        self.machine = self._machine()
        bench = load_json(os.path.join(out, "bench.json")) or {"benchmarks": []}
        self.benchmarks = {}
        for b in bench["benchmarks"]:
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            name = re.sub(r"/iterations:\d+|/manual_time|/real_time", "", b["name"])
            k = TO_US[b["time_unit"]]
            manual = "manual_time" in b["name"] or "real_time" in b["name"]
            # CPU time where the benchmark runs on one thread (a shared machine's wall time
            # includes waiting for a core); wall time where it runs threads or times itself.
            self.benchmarks[name] = {"wall": b["real_time"] * k,
                                     "cpu": None if manual else b["cpu_time"] * k, "raw": b}

    def _machine(self):
        m = {"date": "?", "load_start": "?", "load_end": "?", "commit": "?"}
        text = read(os.path.join(self.out, "machine.txt")) or ""
        for key, pattern in (("date", r"^date: (\S+)"), ("load_start", r"^load average at start: (.+)$"),
                             ("load_end", r"^load average at end: (.+)$"), ("commit", r"^commit: (.+)$")):
            hit = re.search(pattern, text, re.M)
            if hit:
                m[key] = hit.group(1).strip()
        return m

    def time_us(self, name):
        b = self.benchmarks.get(name)
        return None if b is None else (b["cpu"] if b["cpu"] is not None else b["wall"])

    def worst(self, pattern):
        """(name, µs) of the slowest benchmark whose name matches, or None."""
        hits = [(n, self.time_us(n)) for n in self.benchmarks if re.fullmatch(pattern, n)]
        return max(hits, key=lambda h: h[1]) if hits else None

    def hyperfine_ratio(self, name):
        data = load_json(os.path.join(self.out, f"{name}.json"))
        if not data:
            return None
        ours, peer = data["results"][0], data["results"][1]
        return ours["mean"] * 1e3, peer["mean"] * 1e3, peer["mean"] / ours["mean"]

    def cli_compare(self):
        """The lines of compare_cli.sh's cli_compare.jsonl (one command on one corpus each)."""
        text = read(os.path.join(self.out, "cli_compare.jsonl")) or ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def memory(self):
        text = read(os.path.join(self.out, "memory.txt"))
        if not text:
            return None
        limit = re.search(r"du -sb \+ 50 MB = ([\d.]+) MB", text)
        probe = re.search(r"load \+ 5 searches \(leanspec_bench --probe \.\.\.\): +([\d.]+) MB", text)
        cli = re.search(r"leanspec search cache --json \(CLI\): +([\d.]+) MB", text)
        if not (limit and probe and cli):
            return None
        return float(limit.group(1)), float(probe.group(1)), float(cli.group(1))

    def showcase(self):
        """{(backend, metric): line} from showcase_scale.jsonl; the last line of a pair wins."""
        text = read(os.path.join(self.out, "showcase_scale.jsonl")) or ""
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        return {(line["backend"], line["metric"]): line for line in lines}

    def latency_p99(self):
        ours = load_json(os.path.join(self.out, "latency.json"))
        peer = load_json(os.path.join(self.out, "peer_latency.json"))
        if not ours:
            return None
        worst = max(ours["series"], key=lambda s: s["p99"])
        timeouts = sum(s["timeouts"] for s in ours["series"])
        peer_p99 = None if not peer else max(peer[k]["p99_ms"] for k in ("get", "list") if k in peer)
        return worst, timeouts, peer_p99

    def fleet_sync(self):
        """{mode: the JSON line of that pass} from fleet_sync.jsonl."""
        text = read(os.path.join(self.out, "fleet_sync.jsonl")) or ""
        passes = {}
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("bench") == "fleet_sync":
                    passes[entry["mode"]] = entry
        return passes


def figures(r):
    """Rows: (figure, value, target, met, command)."""
    run_all = "`bench/run_all.sh`"
    rows = []

    def bench_row(figure, pattern, limit_us, target, what=""):
        hit = r.worst(pattern)
        if hit is None:
            rows.append((figure, "not measured", target, "–", run_all))
            return
        name, us = hit
        value = f"{fmt_us(us)} (slowest: `{name}`{what})"
        rows.append((figure, value, target, "yes" if us <= limit_us else "**no**", run_all))

    bench_row("Load the real corpus (304 specs), cold", r"load/real", 15e3, "≤ 15 ms")
    bench_row("Cached list and get, every corpus", r"(list_all|list_filtered|get_id|get_number)/cached/.*",
              1.0, "≤ 1 µs")
    bench_row("Search 10,000 specs, every query kind", r"search/[a-z_]+/direct/gen10k", 1e3, "≤ 1 ms")

    for name, figure, target_ratio, target in (
            ("cli_list", "`leanspec list --json` vs LeanSpec's Rust CLI, real corpus", 2.0, "≥ 2× faster"),
            ("cli_search", "`leanspec search cache` vs LeanSpec's Rust CLI, real corpus", 2.0,
             "≥ 2× faster (issue 18)")):
        ratio = r.hyperfine_ratio(name)
        command = "`bench/compare_cli.sh` (hyperfine, one run, side by side)"
        if ratio is None:
            rows.append((figure, "not measured", target, "–", command))
            continue
        ours, peer, x = ratio
        rows.append((figure, f"**{x:.2f}×** (ours {ours:.1f} ms, peer {peer:.1f} ms, means)", target,
                     "yes" if x >= target_ratio else "**no**", command))

    command = "`bench/compare_cli.sh` (hyperfine, one run, side by side)"
    corpora = {"real": "real corpus", "10k": "10,000 specs"}
    for c in r.cli_compare():
        figure = f"`leanspec {c['command'].replace('_', ' ')}` vs LeanSpec's Rust CLI, {corpora.get(c['corpus'], c['corpus'])}"
        rows.append((figure, f"**{c['ratio']:.2f}×** (ours {c['ours_ms']:.1f} ms, peer {c['peer_ms']:.1f} ms, "
                     f"means; load {c['load_before']})", f"≥ {c['target']:.0f}× faster (issue 18)",
                     "yes" if c["ratio"] >= c["target"] else "**no**", command))

    mem = r.memory()
    if mem is None:
        rows.append(("Peak RSS, 10,000 specs loaded and searched", "not measured", "≤ `du -sb` + 50 MB", "–",
                     "`bench/memory.sh`"))
    else:
        limit, probe, cli = mem
        worst = max(probe, cli)
        rows.append(("Peak RSS, 10,000 specs loaded and searched",
                     f"{probe:.1f} MB in-process, {cli:.1f} MB `leanspec search`",
                     f"≤ `du -sb` + 50 MB = {limit:.1f} MB", "yes" if worst <= limit else "**no**",
                     "`bench/memory.sh`"))

    lat = r.latency_p99()
    command = "`leanspec_watch_latency --edits 300`, `bench/peer_latency.py`"
    if lat is None:
        rows.append(("Edit to visible, p99 (watched directory)", "not measured", "≤ 50 ms", "–", command))
    else:
        worst, timeouts, peer_p99 = lat
        peer = "" if peer_p99 is None else f"; LeanSpec's HTTP server {peer_p99:.1f} ms"
        rows.append(("Edit to visible, p99 (watched directory)",
                     f"{worst['p99']:.1f} ms (slowest series: {worst['name']}; {timeouts} timeouts{peer})",
                     "≤ 50 ms", "yes" if worst["p99"] <= 50 and timeouts == 0 else "**no**", command))
    fleet_rows(r, rows)
    rows += showcase_rows(r)
    return rows


def showcase_rows(r):
    """The showcase store of issue 18 (bench/showcase_scale.sh), one row per figure and backend."""
    lines = r.showcase()
    command = "`bench/showcase_scale.sh`"
    rows = []
    for backend in ("sqlite", "postgres"):
        build = lines.get((backend, "build"))
        where = backend if build is None else f"{backend}, {build['projects']:.0f} projects"
        if build and not build["cached"]:
            where += f", store built in {build['seconds']:.0f} s"
        rss = lines.get((backend, "rss"))
        if rss is None:
            rows.append((f"RSS under random reads of every project ({where})", "not measured",
                         "≤ cache_bytes + 64 MB", "–", command))
        else:
            early = f", **stopped after {rss['reads']:.0f} reads**" if rss["stopped_early"] else ""
            rows.append((f"RSS under random reads of every project ({where})",
                         f"{rss['peak_mb']:.0f} MB peak ({rss['anon_mb_sampled_at_end']:.0f} MB anonymous, "
                         f"{rss['file_mb_sampled_at_end']:.0f} MB file at end{early})",
                         f"≤ {rss['limit_mb']:.0f} MB (cache_bytes + 64 MB)",
                         "yes" if rss["peak_mb"] <= rss["limit_mb"] and not rss["stopped_early"] else "**no**",
                         command))
        search_all_ms = 100 if backend == "postgres" else 250
        for metric, figure, limit_ms in (
                ("cold_get", "Cold project: get p99", 5),
                ("cold_list", "Cold project: list page p99", 20),
                ("cold_search", "Cold project: search in one project p99", 20),
                ("search_all", "Search across all projects p99", search_all_ms),
                ("hot_get", "Hot project: get p50 / p99", None),
                ("hot_list", "Hot project: list page p50 / p99", None)):
            line = lines.get((backend, metric))
            target = "µs (as today)" if limit_ms is None else f"≤ {limit_ms} ms"
            if line is None:
                rows.append((f"{figure} ({backend})", "not measured", target, "–", command))
            elif "error" in line:
                rows.append((f"{figure} ({backend})", f"n/a: {line['error']}", target, "**no**", command))
            elif limit_ms is None:
                rows.append((f"{figure} ({backend})", f"{fmt_us(line['p50_us'])} / {fmt_us(line['p99_us'])}",
                             target, "–", command))
            else:
                rows.append((f"{figure} ({backend})",
                             f"{fmt_us(line['p99_us'])} (p50 {fmt_us(line['p50_us'])}, n = {line['n']:.0f})",
                             target, "yes" if line["p99_us"] <= limit_ms * 1e3 else "**no**", command))
    return rows


def fleet_rows(r, rows):
    """The GitHub sync of 1,000 unchanged projects (issue 18): a scheduled and a queued pass."""
    passes = r.fleet_sync()
    command = "`leanspec_fleet_sync --projects=1000` (in `bench/run_all.sh`)"
    for mode, figure in (("scheduled", "Scheduled sync pass, 1,000 unchanged projects (fake GitHub)"),
                         ("queued", "Queued sync pass (every project requested at once), 1,000 unchanged projects")):
        p = passes.get(mode)
        target = "1,000 conditional requests, 0 counted against the primary limit, 0 secondary-limit 403s"
        if p is None:
            rows.append((figure, "not measured", target, "–", command))
            continue
        n = p["projects"]
        value = (f"{p['conditional_requests']} conditional requests ({p['not_modified']} answered 304), "
                 f"{p['primary_counted']} counted against the primary limit, "
                 f"{p['secondary_limit_403']} secondary-limit 403s; wall {p['wall_ms'] / 1e3:.1f} s"
                 f" (interval {p['interval_ms'] / 1e3:.0f} s), at most {p['max_syncs_per_second']} syncs in a second"
                 + ("" if n == 1000 else f" ({n} projects)"))
        met = (n == 1000 and p["conditional_requests"] == n and p["not_modified"] == n and
               p["primary_counted"] == 0 and p["secondary_limit_403"] == 0)
        rows.append((figure, value, target, "yes" if met else "**no**", command))


def current_figures(r):
    m = r.machine
    lines = [f"Measured {m['date']} on commit {m['commit']}, load average {m['load_start']} at start and "
             f"{m['load_end']} at end (2 cores). Generated by `bench/summarize.py` from that run's output.",
             "", "| figure | value | target | met? | command |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in figures(r)]
    return "\n".join(lines)


def every_benchmark(r):
    lines = ["| benchmark | wall | CPU |", "|---|---|---|"]
    for name, b in r.benchmarks.items():
        cpu = "–" if b["cpu"] is None else fmt_us(b["cpu"])
        lines.append(f"| {name} | {fmt_us(b['wall'])} | {cpu} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--update", metavar="MARKDOWN")
    args = parser.parse_args()
    r = Results(args.results)
    table = current_figures(r)
    if args.update:
        text = read(args.update)
        if text is None or BEGIN not in text or END not in text:
            sys.exit(f"summarize.py: {args.update} has no {BEGIN} ... {END} markers")
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(args.update, "w", encoding="utf-8") as f:
            f.write(f"{head}{BEGIN}\n{table}\n{END}{tail}")
        return
    print("# leanspec benchmark summary\n")
    print(table)
    print("\n## Every benchmark\n")
    print(every_benchmark(r))
    for name in ("cli_counts.txt", "cli_ratio.txt", "memory.txt", "latency.txt", "peer_latency.txt",
                 "showcase_scale.txt", "fleet_sync.jsonl"):
        text = read(os.path.join(args.results, name))
        if text:
            print(f"\n## {name}\n\n```\n{text.strip()}\n```")


if __name__ == "__main__":
    main()
