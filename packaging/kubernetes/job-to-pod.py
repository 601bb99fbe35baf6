#!/usr/bin/env python3
"""Turns a Kubernetes YAML stream into what `podman kube play` (podman 4.x)
runs as a cluster would:

  - each Job becomes the Pod its template describes (same name, labels and
    spec): podman runs Pods, ConfigMaps and Secrets but skips Jobs silently;
  - each Secret is left out of the YAML and written as OUTDIR/secret-NAME.json,
    a JSON object of base64 values, the form podman reads for `envFrom` and
    `secretKeyRef` (create it with `podman secret create NAME FILE`): a Secret
    document given to podman 4.3's kube play is stored in a form its own
    `envFrom` cannot read (podman issue #16269).

    job-to-pod.py session-job.yaml OUTDIR     # writes OUTDIR/pod.yaml
"""
import base64
import json
import sys
from pathlib import Path

import yaml


def main():
    source, outdir = sys.argv[1], Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    docs = []
    with open(source) as f:
        for doc in yaml.safe_load_all(f):
            if not doc:
                continue
            if doc.get("kind") == "Job":
                template = doc["spec"]["template"]
                meta = dict(template.get("metadata", {}), name=doc["metadata"]["name"])
                doc = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]}
            if doc.get("kind") == "Secret":
                values = dict(doc.get("data", {}))
                for key, text in doc.get("stringData", {}).items():
                    values[key] = base64.b64encode(text.encode()).decode()
                (outdir / f"secret-{doc['metadata']['name']}.json").write_text(json.dumps(values))
                continue
            docs.append(doc)
    with open(outdir / "pod.yaml", "w") as f:
        yaml.safe_dump_all(docs, f, sort_keys=False)


if __name__ == "__main__":
    main()
