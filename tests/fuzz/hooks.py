"""Schemathesis hooks (SCHEMATHESIS_HOOKS=hooks): every answer is a success body or the Graph
error envelope. The schema's own response shapes are not checked: Meta's document is wider
and looser than any one answer, and wabasim's fidelity is tested elsewhere."""

import json

import schemathesis


@schemathesis.check
def graph_envelope(ctx, response, case):
    status = response.status_code
    if status >= 500:
        raise AssertionError(f"{status} from {case.method} {case.formatted_path}")
    if status == 204 or not response.content:
        if status < 400:
            return
        raise AssertionError(f"empty {status} answer: an error needs the Graph envelope")
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{status} answer is not JSON: {response.content[:200]!r}")
    if status >= 400:
        err = body.get("error") if isinstance(body, dict) else None
        if not isinstance(err, dict) or "message" not in err:
            raise AssertionError(f"{status} answer is not the Graph error envelope: {response.content[:300]!r}")
    elif isinstance(body, dict) and "error" in body:
        raise AssertionError(f"{status} answer carries an error body")
