"""Checks capsim-jobs.yaml against Kubernetes' batch/v1 Job schema (strict: unknown fields are
errors) and checks that the shard count agrees everywhere: completions, parallelism, the
shards' --shard auto/N and the number of shard.json files the merge waits for (-ge N).
Run: python3 lint.py [FILE.yaml]"""
import json
import re
import sys
from pathlib import Path

import jsonschema
import yaml

here = Path(__file__).parent
manifest = Path(sys.argv[1]) if len(sys.argv) > 1 else here / "capsim-jobs.yaml"
schema = json.loads((here / "job-batch-v1.strict.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)

problems = []
jobs = [d for d in yaml.safe_load_all(manifest.read_text()) if d is not None]
for job in jobs:
    name = job.get("metadata", {}).get("name", "?")
    for error in validator.iter_errors(job):
        where = "/".join(str(p) for p in error.absolute_path)
        problems.append(f"{manifest.name}: job {name}: {where}: {error.message}")

shards = [j for j in jobs if j.get("spec", {}).get("completionMode") == "Indexed"]
waits = [
    " ".join(str(c) for c in init.get("command", []))
    for j in jobs
    if j not in shards
    for init in j.get("spec", {}).get("template", {}).get("spec", {}).get("initContainers", [])
]
if len(shards) != 1:
    problems.append(f"{manifest.name}: expected one Indexed Job, found {len(shards)}")
else:
    spec = shards[0]["spec"]
    command = " ".join(str(c) for c in spec["template"]["spec"]["containers"][0]["command"])
    auto = re.search(r"--shard auto/(\d+)", command)
    # The merge's init container waits until `-ge N` shards have written their shard.json.
    wait = [int(n) for w in waits for n in re.findall(r"wc -l\)\"? -ge (\d+)", w)]
    if not auto:
        problems.append(f"{manifest.name}: the shard job does not run --shard auto/N")
    elif len(wait) != 1:
        problems.append(
            f"{manifest.name}: expected the merge job's init container to wait for N shards "
            f"(`... | wc -l)\" -ge N`), found {len(wait)} such counts"
        )
    elif not int(auto.group(1)) == spec.get("completions") == spec.get("parallelism") == wait[0]:
        problems.append(
            f"{manifest.name}: auto/{auto.group(1)}, completions {spec.get('completions')}, "
            f"parallelism {spec.get('parallelism')} and the merge's wait for -ge {wait[0]} "
            f"shards must agree"
        )

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"{manifest.name}: {len(jobs)} jobs valid against batch/v1 Job (Kubernetes 1.33, strict)")
