#!/usr/bin/env python3
"""test_openapi.py: docs/api/openapi.yaml is the API as registered, no more, no less.

Runs `attt init` on a temporary directory, then `attt serve --print-routes` (every route registered
exactly as `attt serve` registers it, /healthz and /metrics included, without listening), and fails:
  - when a registered (method, pattern) has no operation in openapi.yaml;
  - when openapi.yaml has an operation that is not registered;
  - when a route's public flag disagrees with the operation's security (public <=> `security: []`,
    authenticated <=> the document's session/bearer requirement);
  - when openapi.yaml is not a well-formed OpenAPI 3.1 document: required fields, every $ref
    resolves, every {param} of a path is declared `in: path, required: true`, responses keyed by
    status codes, security schemes that exist, and the problem+json schema of docs/http.md (type,
    title, status, detail, instance, with title/detail in vi and en).

Environment (set by ctest): ATTT_BIN, ATTT_SOURCE_DIR. Exit 0 on success, 1 with one line per
finding. Needs PyYAML (python3-yaml, scripts/install-deps).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAM_IN = ("query", "header", "path", "cookie")


def registered_routes(attt, tmp):
    data = os.path.join(tmp, "data")
    subprocess.run([attt, "init", "--data", data], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([attt, "serve", "--data", data, "--print-routes"], check=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out)["routes"]


def resolve(doc, ref, where, errors):
    if not ref.startswith("#/"):
        errors.append(f"{where}: $ref {ref} is not local")
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            errors.append(f"{where}: $ref {ref} does not resolve")
            return None
    return node


def check_refs(doc, node, where, errors):
    """Every $ref anywhere in the document resolves."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                resolve(doc, v, where, errors)
            else:
                check_refs(doc, v, f"{where}/{k}", errors)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            check_refs(doc, v, f"{where}/{i}", errors)


def deref(doc, node, errors):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"], "deref", errors)
    return node


def check_document(doc):
    """Structural checks of OpenAPI 3.1 (the parts this project uses)."""
    errors = []
    if not isinstance(doc, dict):
        return ["openapi.yaml is not a mapping"]
    if not str(doc.get("openapi", "")).startswith("3.1."):
        errors.append(f"openapi: {doc.get('openapi')!r}, expected 3.1.x")
    info = doc.get("info") or {}
    for k in ("title", "version"):
        if not isinstance(info.get(k), str) or not info.get(k):
            errors.append(f"info.{k} missing")
    schemes = ((doc.get("components") or {}).get("securitySchemes") or {})
    for name, sch in schemes.items():
        if sch.get("type") not in ("apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"):
            errors.append(f"securityScheme {name}: bad type {sch.get('type')!r}")

    def check_security(sec, where):
        if not isinstance(sec, list):
            errors.append(f"{where}: security is not a list")
            return
        for req in sec:
            for name in (req or {}):
                if name not in schemes:
                    errors.append(f"{where}: security scheme {name} is not defined")

    check_security(doc.get("security", []), "document")
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        errors.append("paths missing")
        paths = {}
    for path, item in paths.items():
        if not path.startswith("/"):
            errors.append(f"path {path} does not start with /")
        names = re.findall(r"\{([^}]+)\}", path)
        for method, op in (item or {}).items():
            where = f"{method.upper()} {path}"
            if method == "parameters":
                continue
            if method not in METHODS:
                errors.append(f"{path}: unknown key {method!r}")
                continue
            if not isinstance(op, dict):
                errors.append(f"{where}: not a mapping")
                continue
            if "security" in op:
                check_security(op["security"], where)
            declared = set()
            for p in list(item.get("parameters") or []) + list(op.get("parameters") or []):
                p = deref(doc, p, errors) or {}
                if p.get("in") not in PARAM_IN or not p.get("name"):
                    errors.append(f"{where}: parameter {p!r} needs name and in: {'|'.join(PARAM_IN)}")
                    continue
                if "schema" not in p and "content" not in p:
                    errors.append(f"{where}: parameter {p['name']} has no schema")
                if p["in"] == "path":
                    if p.get("required") is not True:
                        errors.append(f"{where}: path parameter {p['name']} must be required: true")
                    declared.add(p["name"])
            for n in names:
                if n not in declared:
                    errors.append(f"{where}: path parameter {{{n}}} is not declared")
            for n in declared - set(names):
                errors.append(f"{where}: declares path parameter {n} absent from the path")
            resps = op.get("responses")
            if not isinstance(resps, dict) or not resps:
                errors.append(f"{where}: no responses")
                continue
            for code, resp in resps.items():
                if not re.fullmatch(r"[1-5](\d\d|XX)|default", str(code)):
                    errors.append(f"{where}: response key {code!r}")
                resp = deref(doc, resp, errors) or {}
                if not isinstance(resp.get("description"), str):
                    errors.append(f"{where} {code}: response without description")
            rb = op.get("requestBody")
            if rb is not None and not isinstance((deref(doc, rb, errors) or {}).get("content"), dict):
                errors.append(f"{where}: requestBody without content")
    check_refs(doc, doc, "#", errors)

    # docs/http.md: problem+json with the negotiated language and the other one beside it.
    problem = ((doc.get("components") or {}).get("schemas") or {}).get("Problem")
    if not isinstance(problem, dict):
        errors.append("components.schemas.Problem missing")
    else:
        props = problem.get("properties") or {}
        for k in ("type", "title", "status", "detail", "instance", "title_en", "detail_en", "title_vi",
                  "detail_vi"):
            if k not in props:
                errors.append(f"Problem schema lacks {k} (docs/http.md)")
        for k in ("type", "title", "status"):
            if k not in (problem.get("required") or []):
                errors.append(f"Problem schema: {k} must be required")
    return errors


def compare(doc, routes):
    errors = []
    top = doc.get("security")
    spec = {}
    for path, item in (doc.get("paths") or {}).items():
        for method, op in (item or {}).items():
            if method in METHODS:
                spec[(method.upper(), path)] = op
    reg = {(r["method"], r["pattern"]): r for r in routes}
    for key in sorted(reg.keys() - spec.keys()):
        errors.append(f"route {key[0]} {key[1]} is registered but missing from openapi.yaml")
    for key in sorted(spec.keys() - reg.keys()):
        errors.append(f"openapi.yaml lists {key[0]} {key[1]}, which is not a registered route")
    for key in sorted(reg.keys() & spec.keys()):
        sec = spec[key].get("security", top)
        spec_public = sec == [] or sec is None or any(not req for req in sec)
        if spec_public != reg[key]["public"]:
            errors.append(f"{key[0]} {key[1]}: the server has it {'public' if reg[key]['public'] else 'authenticated'}"
                          f", openapi.yaml says {'public (security: [])' if spec_public else 'authenticated'}")
    return errors


def main():
    attt = os.environ.get("ATTT_BIN")
    src = os.environ.get("ATTT_SOURCE_DIR", ".")
    if not attt:
        print("ATTT_BIN is not set", file=sys.stderr)
        return 1
    spec_file = os.environ.get("ATTT_OPENAPI", os.path.join(src, "docs", "api", "openapi.yaml"))
    with open(spec_file, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    with tempfile.TemporaryDirectory(prefix="attt-openapi-") as tmp:
        routes = registered_routes(attt, tmp)
    errors = check_document(doc) + compare(doc, routes)
    if not any(r["pattern"] == "/healthz" for r in routes) or not any(r["pattern"] == "/metrics" for r in routes):
        errors.append("--print-routes does not list the server's own /healthz and /metrics")
    for e in errors:
        print(f"test_openapi: {e}", file=sys.stderr)
    print(f"test_openapi: {len(routes)} routes, {len(errors)} findings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
