"""Documentation that runs: every example of the README and the reference page, in order, against
the app (the sync examples create what the later ones use)."""

import html
import json
import re
import shlex
from pathlib import Path

from portal.api.examples import EXAMPLES, curl
from tests.api.support import call, token_for

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[str]:
    """Every curl command of the README (```sh blocks starting with curl)."""
    text = README.read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S) if block.startswith("curl")]


def parse_curl(command: str):
    words = shlex.split(command.replace("\\\n", " "))
    method, url, headers, body = "GET", None, {}, None
    for index, word in enumerate(words):
        if word == "-X":
            method = words[index + 1]
        elif word == "-H":
            name, _, value = words[index + 1].partition(": ")
            headers[name] = value
        elif word == "-d":
            body = json.loads(words[index + 1])
        elif word.startswith("http"):
            url = word
    return method, re.sub(r"^https?://[^/]+", "", url), headers, body


def test_the_readme_shows_exactly_the_examples_of_the_reference_page():
    assert readme_commands() == [curl(example) for example in EXAMPLES]


def test_every_readme_example_runs_against_the_app(app, client, world):
    token = token_for(app, world, name="examples")
    answers = []
    for command in readme_commands():
        method, path, headers, body = parse_curl(command)
        headers.pop("Authorization")
        headers.pop("Content-Type", None)
        if (
            body and "branch_id" in body
        ):  # the portal's own id of the synced branch (the token page lists them)
            body["branch_id"] = next(a for a in answers if a.get("type") == "branch")["id"]
        if path == "/api/v1/callbacks/1":  # the id the callback example was given
            path = f"/api/v1/callbacks/{answers[-1]['id']}"
        response = call(client, method, path, token, body, headers)
        assert response.status_code in (200, 201), (command, response.get_json())
        answers.append(response.get_json())
    assert answers[7]["allowed"] is True
    assert answers[8]["modifications"][0]["modification_type"] == "reschedule"
    assert answers[-1]["status"] == "pending"


def test_the_token_page_example_is_accepted(app, client, world):
    client.login(world.admin.email)
    client.submit("/callbacks/tokens", {"name": "Voice agent", "scopes": "callbacks:write"})
    page = client.get("/callbacks/tokens").get_data(as_text=True)
    command = re.search(r"<code data-example>(.*?)</code>", page, re.S).group(1)


    method, path, _headers, body = parse_curl(html.unescape(command))
    token = re.search(r"<code class=\"cb-token\" data-token>(cbt_[^<]+)</code>", page).group(1)
    response = call(client, method, path, token, body)
    assert response.status_code == 201, response.get_json()
