#!/usr/bin/env python3
"""OpenAPI interoperability: the document read by tools nobody here wrote.

The committed openapi.yaml must be byte for byte what `mailer openapi` prints, read by PyYAML
(a YAML 1.1 reader, stricter about unquoted words than YAML 1.2) as exactly the JSON that
`mailer openapi --format json` prints and that a running `mailer serve` answers at /openapi.json
without a token, and pass openapi-spec-validator (OpenAPI 3.1). The Swift tests check the same
document with the package's own reader; this is the outside opinion. Prints 'N passed, N failed'
and exits non-zero on any failure.

Usage: openapi_interop.py PATH/TO/mailer   (from the repository root; needs PyYAML and openapi-spec-validator)
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

import yaml
from openapi_spec_validator import validate

from interop_support import check, free_port, start_mailer, summary


def main(binary):
    printed_yaml = subprocess.run([binary, "openapi"], check=True, capture_output=True, text=True).stdout
    printed_json = json.loads(subprocess.run([binary, "openapi", "--format", "json"], check=True, capture_output=True).stdout)
    with open("openapi.yaml", encoding="utf-8") as file:
        committed = file.read()
    check("openapi.yaml is what `mailer openapi` prints", committed == printed_yaml,
          "run `swift run mailer openapi > openapi.yaml`")
    read = yaml.safe_load(committed)
    check("PyYAML reads openapi.yaml as the JSON document", read == printed_json)
    try:
        validate(read)
        check("openapi-spec-validator accepts the document (OpenAPI 3.1)", True)
    except Exception as error:  # the validator's own error types vary between versions
        check("openapi-spec-validator accepts the document (OpenAPI 3.1)", False, error)

    port = free_port()
    log_path = os.path.join(tempfile.mkdtemp(prefix="openapi-interop-"), "mailer.log")
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()), "SMTP_SENDER": "no-reply@example.com",
           "MAILER_PORT": str(port), "MAILER_TEMPLATES_DIR": os.path.abspath("templates")}
    mailer = start_mailer(binary, env, log_path)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=10) as response:
            served = json.loads(response.read())
            check("GET /openapi.json without a token answers 200 application/json",
                  response.status == 200 and response.headers.get("Content-Type") == "application/json")
            check("GET /openapi.json serves the same document", served == printed_json)
    finally:
        mailer.terminate()
        mailer.wait(timeout=30)
    return summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
