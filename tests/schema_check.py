#!/usr/bin/python3
"""harness_schema: every shipped campaign and sample result validates against
docs/schema/*.schema.json, and documents with known mistakes do not.
Usage: schema_check.py SOURCE_DIR. Exits 77 (skipped) without jsonschema."""
import copy
import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("skipped: python3-jsonschema is not installed (./scripts/setup installs it)")
    sys.exit(77)

top = sys.argv[1]
schemas = {}
for name in ("campaign", "results"):
    with open(os.path.join(top, "docs/schema", name + ".schema.json")) as f:
        schemas[name] = json.load(f)
store = {s["$id"]: s for s in schemas.values()}


def validator(name):
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schemas[name])
    resolver = jsonschema.RefResolver.from_schema(schemas[name], store=store)
    return cls(schemas[name], resolver=resolver)


def load(path):
    with open(path) as f:
        return json.load(f)


failures = 0


def expect(name, doc, valid, what):
    global failures
    errors = sorted(validator(name).iter_errors(doc), key=lambda e: list(e.path))
    if valid and errors:
        failures += 1
        e = errors[0]
        print(f"FAIL {what}: expected valid, got {len(errors)} error(s), first at "
              f"$/{'/'.join(map(str, e.path))}: {e.message[:300]}")
    elif not valid and not errors:
        failures += 1
        print(f"FAIL {what}: expected invalid against the {name} schema, got valid")


campaigns = sorted(glob.glob(os.path.join(top, "campaigns", "**", "*.json"), recursive=True))
for p in campaigns:
    expect("campaign", load(p), True, os.path.relpath(p, top))
results = [os.path.join(top, "results/baseline.json")] + sorted(
    glob.glob(os.path.join(top, "harness/tests/data", "*-sample.json")))
for p in results:
    expect("results", load(p), True, os.path.relpath(p, top))

# Mistakes memharness check refuses must be refused by the schema too.
quick = load(os.path.join(top, "campaigns/quick.json"))
bad = [
    ("a misspelt key", lambda c: c["workloads"][0].update(programme="x")),
    ("a workload without program", lambda c: c["workloads"][0].pop("program")),
    ("jobs as a string", lambda c: c.update(jobs="2")),
    ("null for a key", lambda c: c.update(seed=None)),
    ("a seed of 2^63", lambda c: c.update(seed=2**63)),
    ("a name with a slash", lambda c: c.update(name="a/b")),
    ("an unknown timing", lambda c: c.update(timing=["cycles"])),
]
for what, change in bad:
    c = copy.deepcopy(quick)
    change(c)
    expect("campaign", c, False, what)
faults = load(os.path.join(top, "campaigns/recovery.json"))
for what, change in [
    ("faults without when", lambda f: f["faults"].pop("when")),
    ("delay_ms with a breakpoint", lambda f: f["faults"]["when"].update(delay_ms=[1, 2])),
    ("an unknown target kind", lambda f: f["faults"]["target"].update(kind="dram")),
]:
    f = copy.deepcopy(faults)
    change(f)
    expect("campaign", f, False, what)
# Every fault model memharness runs is a valid campaign (issue 25's models).
for model in ["flip", "stuck0", "stuck1", "rows"]:
    f = copy.deepcopy(faults)
    f["faults"]["model"] = model
    expect("campaign", f, True, "model " + model)
f = copy.deepcopy(faults)
f["faults"]["model"] = "rowhammer"
expect("campaign", f, False, "an unknown fault model")
# rows and row_kib go with model rows only (memharness check refuses them too).
f = copy.deepcopy(faults)
f["faults"].update(model="rows", rows=5, row_kib=8)
expect("campaign", f, True, "model rows with rows and row_kib")
f = copy.deepcopy(faults)
f["faults"].update(rows=5)
expect("campaign", f, False, "rows without model rows")
f = copy.deepcopy(faults)
f["faults"].update(model="rows", row_kib=6)
expect("campaign", f, False, "row_kib not a multiple of 4")
base = load(os.path.join(top, "results/baseline.json"))
for what, change in [
    ("an unknown run status", lambda d: d["runs"][0].update(status="great")),
    ("results without campaign", lambda d: d.pop("campaign")),
    ("runs and trials at once", lambda d: d.update(trials=[])),
]:
    d = copy.deepcopy(base)
    change(d)
    expect("results", d, False, what)

n = len(campaigns) + len(results) + len(bad) + 14
print(f"{n - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
