"""The API against its own OpenAPI document (Schemathesis), as CI's `api-contract` stage runs it:

    .venv/bin/python -m tests.api.contract [--max-examples N]

A fresh SQLite database (migrated), two companies with the README's example data, a token of each
scope, one with all scopes and one of the other company; the app served on a local port; then
Schemathesis per token: no 5xx, every status code, content type, header and body as documented.
Exits non-zero on any failure. Bounded (a few examples per operation) to stay well under 3 minutes.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

from portal import create_app
from portal.api.examples import EXAMPLES
from portal.domain.api_scopes import SCOPES, format_scopes
from portal.extensions import db
from portal.models import ApiToken, Company
from portal.services.organisation.api_tokens import token_hash

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


def seed(app) -> dict[str, str]:
    """Two companies with the examples' records; the tokens by what they may do."""
    tokens: dict[str, str] = {}
    with app.app_context():
        upgrade()
        companies = [Company(name=f"Contract {n}", slug=f"contract-{n}") for n in (1, 2)]
        db.session.add_all(companies)
        db.session.flush()
        grants = {scope: (companies[0], scope) for scope in SCOPES}
        grants["all scopes"] = (companies[0], format_scopes(SCOPES))
        grants["another company"] = (companies[1], format_scopes(SCOPES))
        for label, (company, scopes) in grants.items():
            secret = f"cbt_contract-{label.replace(' ', '-').replace(':', '-')}-0123456789"
            db.session.add(
                ApiToken(
                    company_id=company.id,
                    name=label,
                    token_hash=token_hash(secret),
                    hint=secret[:8],
                    scopes=scopes,
                )
            )
            tokens[label] = secret
        db.session.commit()
    client = app.test_client()
    for label in ("all scopes", "another company"):
        for example in EXAMPLES[:6]:  # the sync examples: records for the other endpoints to find
            client.open(
                example.path,
                method=example.method,
                json=example.body,
                headers={"Authorization": f"Bearer {tokens[label]}"},
            )
    return tokens


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("CONTRACT_MAX_EXAMPLES", "8")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/contract.db",
                "CACHE_TYPE": "SimpleCache",
                "RATELIMIT_STORAGE_URI": "memory://",
                "API_RATE_LIMIT": "1000000 per minute",
            }
        )
        tokens = seed(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json"
        schemathesis = Path(sys.executable).with_name("schemathesis")
        failed = []
        for label, secret in tokens.items():
            # One scope each: every operation is tried (mostly 403s); the two with every scope,
            # of this company and of the other one, go through all the phases.
            phases = "examples,coverage,fuzzing" if label in ("all scopes", "another company") else "examples"
            print(f"--- schemathesis with the token of {label}", flush=True)
            status = subprocess.call(
                [
                    str(schemathesis),
                    "--no-color",
                    "run",
                    url,
                    "--checks",
                    CHECKS,
                    "--max-examples",
                    str(args.max_examples),
                    "--seed",
                    "12",
                    "--phases",
                    phases,
                    "--workers",
                    "1",
                    "--generation-database",
                    "none",
                    "-H",
                    f"Authorization: Bearer {secret}",
                ]
            )
            if status:
                failed.append(label)
        server.shutdown()
    print(f"schemathesis: tokens refused by a check: {', '.join(failed) or 'none'} (of {len(tokens)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
