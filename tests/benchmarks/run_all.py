"""Every benchmark, at three sizes, in one run: pages, stats refresh, gunicorn throughput, intake.

    python -m tests.benchmarks.run_all --engine mariadb --redis redis://127.0.0.1:6379/12
    python -m tests.benchmarks.run_all --engine sqlite --sizes 10k,100k   (no gunicorn stage)
    python -m tests.benchmarks.run_all ... --no-serving --pages "Callback queue,Appointments list"

One database; one company per size (tests/benchmarks/data.py: 10k / 100k / 1M callbacks,
appointments and modifications; ~430 / ~4,300 / ~20,000 tree nodes), built by bulk SQL. For each
size: every page's in-process server time p50/p95 (cold pages empty the cache before each
request, untimed) and `stats refresh` against the in-memory baseline. Then the growth factor of
each page (largest size ÷ smallest, p95), and at the middle size, under gunicorn (3 workers),
each page's wrk throughput as a ratio of /login's in the same run, and the intake API's
throughput with distinct phone numbers under one worker and under three. Prints Markdown tables.
"""
import argparse
import os
import time
from datetime import timedelta

from sqlalchemy import text

from portal.domain.clock import to_local
from portal.extensions import db
from portal.models import utcnow
from tests.benchmarks import data, serving
from tests.benchmarks.common import bench_app, drop_database, fresh_database, quiet_logs
from tests.benchmarks.pages import measure_pages, pages
from tests.benchmarks.refresh import measure_refresh

P95_TARGET_MS, GROWTH_TARGET, RATIO_TARGET, SCALING_TARGET = 100, 2.0, 0.2, 2.0


def build_size(app, size: data.Size) -> tuple[data.BenchCompany, float]:
    with app.app_context():
        started = time.perf_counter()
        company = data.build(size, utcnow().replace(microsecond=0))
        if db.engine.dialect.name == "mysql":  # fresh statistics, as a server that has been running has
            db.session.execute(text("ANALYZE TABLE callback_requests, appointments, appointment_modifications, "
                                    "customers, modification_totals, callback_closed_counts, callback_closed_totals"))
            db.session.commit()
        return company, time.perf_counter() - started


def run(args) -> dict:
    url = fresh_database(args.engine, args.database)
    app = bench_app(url, args.redis)
    sizes = [s for s in data.SIZES if s.name in args.sizes.split(",")]
    with app.app_context():
        data.numbers(10 ** 6 if any(s.rows > 100_000 for s in sizes) else 10 ** 5)
    results: dict = {"engine": args.engine, "redis": bool(args.redis), "sizes": {}}
    middle = sizes[len(sizes) // 2]
    month_ago = (to_local(utcnow(), "Europe/Berlin") - timedelta(days=30)).date().isoformat()
    companies = {}
    for size in sizes:
        company, build_s = build_size(app, size)
        print(f"built {size.name}: {company.nodes:,} tree nodes in {build_s:.0f} s", flush=True)
        with app.app_context():  # each size's refresh covers every company built so far
            refresh = measure_refresh(utcnow().replace(microsecond=0))
        companies[size.name] = company
        results["sizes"][size.name] = {"company": company, "build_s": build_s, "refresh": refresh}
    only = tuple(label.strip() for label in args.pages.split(",") if label.strip())
    for name, timings in measure_pages(app, companies, month_ago, args.samples, only).items():
        results["sizes"][name]["pages"] = timings
    results["middle"] = (middle.name, companies[middle.name])
    if args.engine == "mariadb" and not args.no_serving:
        company = results["middle"][1]
        urls = {page.label: page.url for page in pages(company) if not page.cold and page.signed_in}
        urls = {label: u.replace("?older={older}", "").replace("{month_ago}", month_ago)
                for label, u in urls.items() if "{older}" not in u}
        with serving.gunicorn(url, args.redis, args.port, 3) as base:
            results["throughput"] = serving.page_throughput(base, company, urls, args.seconds)
        results["intake"] = serving.intake_throughput(url, args.redis, args.port, company, args.seconds)
    if not args.keep:
        drop_database(args.engine, args.database)
    return results


def report(results: dict) -> None:
    sizes = list(results["sizes"])
    first, last = sizes[0], sizes[-1]
    stack = "MariaDB 10.11" if results["engine"] == "mariadb" else "SQLite"
    stack += " + Redis" if results["redis"] else " + in-process cache"
    print(f"\n## Pages — server time in process, {stack} (ms, p50 / p95)\n")
    header = " | ".join(f"{name} p50 / p95" for name in sizes)
    print(f"| page | {header} | growth p95 {first}→{last} | target |")
    print("| --- | " + " | ".join("---" for _ in sizes) + " | --- | --- |")
    labels = list(results["sizes"][first]["pages"])
    company = results["sizes"][first]["company"]
    targets = {page.label: page.target for page in pages(company)}
    for label in labels:
        cells = [results["sizes"][name]["pages"][label] for name in sizes]
        growth = cells[-1][1] / cells[0][1] if cells[0][1] else float("inf")
        verdict = "—"
        if targets.get(label):
            met = cells[-1][1] <= P95_TARGET_MS and growth <= GROWTH_TARGET
            verdict = "met" if met else "**missed**"
        shown = " | ".join(f"{p50:.0f} / {p95:.0f}" for p50, p95 in cells)
        print(f"| {label} | {shown} | {growth:.2f}× | {verdict} |")
    print("\n## `stats refresh` (every company in the database so far)\n")
    print("| size | modifications | customers | ours: time / peak memory | baseline: time / peak memory "
          "| ours faster by | same counts |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in sizes:
        r = results["sizes"][name]["refresh"]
        print(f"| {name} | {r['modifications']:,} | {r['customers']:,} | {r['ours_s']:.2f} s / {r['ours_mib']:.1f} MiB "
              f"| {r['base_s']:.2f} s / {r['base_mib']:.1f} MiB | {r['base_s'] / r['ours_s']:.1f}× | {r['same_counts']} |")
    print("\nData built by bulk SQL: " + ", ".join(
        f"{name} in {results['sizes'][name]['build_s']:.0f} s" for name in sizes) + ".")
    if "throughput" in results:
        name, _ = results["middle"]
        print(f"\n## Under gunicorn (3 workers, wrk -t2 -c6), {name} size: req/s and ratio to /login\n")
        print("| page | req/s | /login req/s beside it | ratio | target ≥ 0.2 |\n| --- | --- | --- | --- | --- |")
        for label, (rps, login) in results["throughput"].items():
            ratio = rps / login
            print(f"| {label} | {rps:.0f} | {login:.0f} | {ratio:.2f} | {'met' if ratio >= RATIO_TARGET else '**missed**'} |")
        one, three = results["intake"][1], results["intake"][3]
        print(f"\nIntake API, distinct phone numbers: 1 worker {one:.0f} req/s, 3 workers {three:.0f} req/s "
              f"({three / one:.2f}×; target ≥ {SCALING_TARGET:.0f}×: {'met' if three / one >= SCALING_TARGET else 'missed'}).")
    print(f"\n(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "mariadb"), default="mariadb")
    parser.add_argument("--redis", default=None, help="Redis URL for the cache (default: in-process)")
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--database", default="wt_scale_bench", help="MariaDB database to (re)create")
    parser.add_argument("--port", type=int, default=5231, help="gunicorn's port")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--pages", default="", help="only the pages whose label starts with one of these "
                                                    "(comma-separated), e.g. 'Callback queue,Appointments list'")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--no-serving", action="store_true", help="skip the gunicorn stage")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    with quiet_logs():
        report(run(args))


if __name__ == "__main__":
    main()
