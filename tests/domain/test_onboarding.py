"""The CSV import planner, on generated organisations: a file into an empty company plans only
"create"; once applied, the same file plans only "unchanged", in any row order."""
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.onboarding import Existing, read_csv
from portal.domain.onboarding_plan import plan_import

HEADER = "kind,external_id,name,city,price,duration_minutes,branches,email,home_branch,services,active"
NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß ", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def organisations(draw):
    branches = draw(st.lists(NAME, min_size=1, max_size=5, unique_by=str.lower))
    services = draw(st.lists(NAME, min_size=1, max_size=5, unique_by=str.lower))
    use_ids = draw(st.booleans())
    rows = []
    for index, name in enumerate(branches):
        rows.append(f"branch,{'B' + str(index) if use_ids else ''},{name},City,,,,,,,yes")
    for index, name in enumerate(services):
        offered = draw(st.lists(st.sampled_from(branches), unique=True, max_size=len(branches)))
        cents = draw(st.integers(0, 99_999))
        rows.append(f"service,{'S' + str(index) if use_ids else ''},{name},,{cents // 100}.{cents % 100:02d},"
                    f"{draw(st.integers(1, 600))},{'; '.join(offered) or '-'},,,,yes")
    for index in range(draw(st.integers(0, 6))):
        home = draw(st.sampled_from(branches))
        performs = draw(st.lists(st.sampled_from(services), unique=True, max_size=3))
        rows.append(f"staff,E{index},Person {index},,,,,p{index}@example.test,{home},{'; '.join(performs) or '-'},")
    order = draw(st.permutations(rows))
    return (HEADER + "\n" + "\n".join(order) + "\n").encode()


def applied(plan) -> list[Existing]:
    """What the company holds after the plan is applied (as the importer writes it)."""
    ids = {row.number: 1000 + row.number for row in plan.rows}
    records = []
    for row in plan.rows:
        ident = row.target or ids[row.number]
        links = {column: frozenset(ids[ref] if source == "row" else ref for source, ref in refs)
                 for column, refs in row.links.items()}
        if "home_branch" in links:
            links["home_branch"] = next(iter(links["home_branch"]), None)
        values = {"is_active": True, **row.values}
        records.append(Existing(row.kind, ident, row.name, row.external_id, values, links))
    return records


@settings(max_examples=150, database=None, deadline=None)
@given(data=organisations())
def test_a_file_creates_everything_once_and_then_changes_nothing(data):
    columns, rows, errors = read_csv(data)
    first = plan_import(columns, rows, None, [], errors)
    assert first.ok, (first.file_errors, [row.errors for row in first.rows if row.errors])
    assert {row.action for row in first.rows} == {"create"}
    again = plan_import(columns, rows, None, applied(first))
    assert again.ok
    assert {row.action for row in again.rows} == {"unchanged"}


@settings(max_examples=100, database=None, deadline=None)
@given(data=organisations(), seed=st.randoms())
def test_row_order_does_not_change_what_a_file_plans(data, seed):
    header, *lines = data.decode().splitlines()
    shuffled = lines[:]
    seed.shuffle(shuffled)
    plans = []
    for text in (data.decode(), "\n".join([header, *shuffled]) + "\n"):
        columns, rows, _ = read_csv(text.encode())
        plan = plan_import(columns, rows, None, [])
        plans.append(sorted((row.kind, row.name, row.action) for row in plan.rows))
    assert plans[0] == plans[1]
