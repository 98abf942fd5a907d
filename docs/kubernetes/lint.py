"""Checks capsim-jobs.yaml against Kubernetes' batch/v1 Job schema (strict: unknown fields are
errors) and checks that the shard count agrees everywhere. Run: python3 lint.py [FILE.yaml]"""
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
if len(shards) != 1:
    problems.append(f"{manifest.name}: expected one Indexed Job, found {len(shards)}")
else:
    spec = shards[0]["spec"]
    command = " ".join(spec["template"]["spec"]["containers"][0]["command"])
    auto = re.search(r"--shard auto/(\d+)", command)
    if not auto:
        problems.append(f"{manifest.name}: the shard job does not run --shard auto/N")
    elif not int(auto.group(1)) == spec.get("completions") == spec.get("parallelism"):
        problems.append(
            f"{manifest.name}: auto/{auto.group(1)}, completions {spec.get('completions')} "
            f"and parallelism {spec.get('parallelism')} must agree"
        )

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"{manifest.name}: {len(jobs)} jobs valid against batch/v1 Job (Kubernetes 1.33, strict)")
