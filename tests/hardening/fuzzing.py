"""A bounded schemathesis run over every operation of the API, in-process through WSGI.

Each operation is exercised as two people (an office staff member and a department handler),
with generated data in schemathesis's positive and negative modes, a fixed number of examples
and a fixed seed, so a run is reproducible: `OPINIONOPS_FUZZ_EXAMPLES` (default 5; .ci/run uses 15) and
`OPINIONOPS_FUZZ_SEED` (default 15) choose them. Operations with an `{id}` or `{incident_id}`
are tried both on generated ids and on a real record, so the verbs get past the 404.

Nothing here raises while the run goes on: every response is classified (served, server error,
schema mismatch) and the run's counts are returned, for the test to print and assert on.
"""
import os
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

# What "matches the schema" means: the status code is one the operation declares, the body's
# media type is declared for it, and the body validates against the declared schema.
SCHEMA_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]

EXAMPLES = int(os.environ.get("OPINIONOPS_FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("OPINIONOPS_FUZZ_SEED", "15"))


@dataclass
class Finding:
    who: str
    operation: str
    status: int
    detail: str


@dataclass
class Tally:
    requests: dict[str, int] = field(default_factory=dict)  # person → requests sent
    operations: dict[str, int] = field(default_factory=dict)  # person → operation runs
    server_errors: list[Finding] = field(default_factory=list)
    mismatches: list[Finding] = field(default_factory=list)

    def count(self, counter: dict[str, int], who: str) -> None:
        counter[who] = counter.get(who, 0) + 1

    def summary(self) -> str:
        lines = [f"schemathesis (examples={EXAMPLES}, seed={SEED} per operation, mode and person)"]
        for who in sorted(self.operations):
            errors = sum(f.who == who for f in self.server_errors)
            mismatches = sum(f.who == who for f in self.mismatches)
            lines.append(f"  {who}: {self.operations[who]} operation runs, "
                         f"{self.requests.get(who, 0)} requests, {errors} server errors, "
                         f"{mismatches} schema mismatches")
        lines.append(f"  total: {sum(self.operations.values())} operation runs, "
                     f"{sum(self.requests.values())} requests, {len(self.server_errors)} server "
                     f"errors, {len(self.mismatches)} schema mismatches")
        return "\n".join(lines)

    def report(self, limit: int = 60) -> str:
        lines = [self.summary()]
        for title, findings in (("server error", self.server_errors),
                                ("schema mismatch", self.mismatches)):
            seen = set()
            for f in findings:
                key = (f.who, f.operation, f.status, f.detail[:160])
                if key in seen or len(seen) >= limit:
                    continue
                seen.add(key)
                lines.append(f"  {title}: [{f.who}] {f.operation} → {f.status}: {f.detail[:600]}")
        return "\n".join(lines)


def _failure_text(exc: BaseException) -> str:
    """The failures schemathesis found, each on one line (not its header or the curl line)."""
    failures = list(exc.exceptions) if isinstance(exc, BaseExceptionGroup) else [exc]
    parts = []
    for failure in failures:
        title = getattr(failure, "title", "") or type(failure).__name__
        message = " ".join(str(getattr(failure, "message", failure)).split())
        parts.append(f"{title}: {message}")
    return " | ".join(parts)


def load_schema(wsgi_app, token: str):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers={"Authorization": f"Token {token}"})


def _one_operation(operation, who: str, headers: dict, path_parameters: dict | None,
                   tally: Tally, check_schema: bool) -> None:
    strategies = [(mode, operation.as_strategy(generation_mode=mode,
                                               path_parameters=path_parameters))
                  for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    label = f"{operation.method.upper()} {operation.path}"

    for mode, strategy in strategies:
        @seed(SEED)
        @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=False,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            tally.count(tally.requests, who)
            try:
                response = case.call(headers=headers)
            except Exception as exc:  # an exception the WSGI app let through is a 500
                tally.server_errors.append(Finding(who, label, 500, repr(exc)))
                return
            if response.status_code >= 500:
                tally.server_errors.append(
                    Finding(who, label, response.status_code, response.text[:300]))
                return
            if check_schema:
                try:
                    case.validate_response(response, checks=SCHEMA_CHECKS)
                except (AssertionError, BaseExceptionGroup) as exc:
                    tally.mismatches.append(Finding(who, label, response.status_code,
                                                    _failure_text(exc)))

        try:
            run()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                tally.mismatches.append(Finding(who, label, 0, "generation: no valid input"))
            # Negative mode: the operation takes nothing that can be made invalid (no body, no
            # query, its path pinned to a real record), so there is nothing to send.
        except Exception as exc:  # generation itself failed (an unsatisfiable schema)
            tally.mismatches.append(Finding(who, label, 0, f"generation: {exc!r}"[:300]))


def fuzz(schema, people: dict[str, str], real_ids: dict[str, int], *,
         check_schema: bool = True) -> Tally:
    """people: name → API token; real_ids: path prefix → a pk to try in `{id}` there."""
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        params = {p.name for p in operation.path_parameters}
        pinned = [None]
        for prefix, pk in real_ids.items():
            if operation.path.startswith(prefix) and params:
                pinned.append({name: pk for name in params})
                break
        for who, token in people.items():
            headers = {"Authorization": f"Token {token}"}
            for path_parameters in pinned:
                tally.count(tally.operations, who)
                _one_operation(operation, who, headers, path_parameters, tally, check_schema)
    return tally
