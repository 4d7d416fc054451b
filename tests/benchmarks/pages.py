"""Server time of every page, in process (the whole request through the Flask test client)."""
import re
from dataclasses import dataclass

from portal.extensions import cache
from tests.benchmarks.common import p50_p95, timed
from tests.benchmarks.data import PASSWORD, BenchCompany


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    cold: bool = False  # the cache is emptied before each request (not timed)
    target: bool = True  # held to the targets (p95 ≤ 100 ms, ≤ 2× the smallest size)
    signed_in: bool = True


def pages(company: BenchCompany) -> list[Page]:
    staff_matrix = f"/notifications/staff/{company.staff_id}?service={company.service_id}"
    return [
        Page("Dashboard", "/"),
        Page("Callback queue, open tab", "/callbacks/"),
        Page("Callback queue, completed tab", "/callbacks/?tab=completed"),
        Page("Callback queue, all tab", "/callbacks/?tab=all"),
        Page("Callback queue, overdue", "/callbacks/?overdue=1"),
        Page("Appointments list (from today)", "/appointments/"),
        Page("Modifications audit", "/appointments/modifications"),
        Page("Modifications audit, next page", "/appointments/modifications?older={older}"),
        Page("Modifications audit, last 30 days, cancellations", "/appointments/modifications?type=cancel"
             "&date_from={month_ago}"),
        Page("Stats report", "/appointments/stats"),
        Page("Policy tree, cached", "/policies/?type=cancellation"),
        Page("Policy tree, one branch, cold", f"/policies/?type=cancellation&branch={company.branch_id}", cold=True),
        Page("Policy tree, whole company, cold", "/policies/?type=cancellation", cold=True, target=False),
        Page("Notification matrix (staff node), cached", staff_matrix),
        Page("Notification matrix (staff node), cold", staff_matrix, cold=True),
        Page("Callback search by name (substring)", "/callbacks/?q=Caller+0000042", target=False),
        Page("Sign-in page (reference)", "/login", target=False, signed_in=False),
    ]


def signed_in_client(app, company: BenchCompany):
    client = app.test_client()
    response = client.post("/login", data={"email": company.admin_email, "password": PASSWORD})
    assert response.status_code == 302, "bench sign-in failed"
    return client


def resolve(client, url: str, month_ago: str) -> str:
    """Fill in the parts of a URL that come from a page: the audit's second-page link."""
    if "{older}" in url:
        html = client.get("/appointments/modifications").get_data(as_text=True)
        url = url.format(older=re.search(r"older=([0-9.]+)", html).group(1))
    return url.format(month_ago=month_ago)


def measure_pages(app, companies: dict[str, BenchCompany], month_ago: str, samples: int,
                  only: tuple[str, ...] = ()) -> dict[str, dict[str, tuple[float, float]]]:
    """{size: {page: (p50, p95) ms}}. Each page is warmed up at every size, then its samples are
    taken in rounds over the sizes, so a shared machine's load drifts into every size alike and
    the growth factors compare like with like. Cold pages empty the cache, untimed, first.
    `only`: measure just the pages whose label starts with one of these."""
    clients = {name: (signed_in_client(app, company), app.test_client()) for name, company in companies.items()}
    first = next(iter(companies.values()))
    timings: dict[str, dict[str, list[float]]] = {name: {} for name in companies}
    for index, page in enumerate(pages(first)):
        if only and not page.label.startswith(only):
            continue
        urls = {}
        for name, company in companies.items():
            client = clients[name][0 if page.signed_in else 1]
            urls[name] = resolve(client, pages(company)[index].url, month_ago)
            response = client.get(urls[name])
            assert response.status_code == 200, (urls[name], response.status_code)
            if not page.cold:
                timed(lambda url=urls[name], client=client: client.get(url), 5)  # warm-up
        rounds = max(samples // 2, 10) if page.cold else samples
        for _ in range(rounds):
            for name in companies:
                client, url = clients[name][0 if page.signed_in else 1], urls[name]
                if page.cold:
                    with app.app_context():
                        cache.clear()
                timings[name].setdefault(page.label, []).extend(timed(lambda url=url, client=client: client.get(url), 1))
    return {name: {label: p50_p95(values) for label, values in per_page.items()}
            for name, per_page in timings.items()}
