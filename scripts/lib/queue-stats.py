"""Prints "pending sent failed total" from a running mailer's GET /v1/queue/stats
(pending = queued + deferred + sending), for scripts/soak.sh and Benchmarks/http-vs-hello.sh.

Usage: QUEUE_STATS_TOKEN=<api token> python3 queue-stats.py PORT
"""
import json
import os
import sys
import urllib.request

request = urllib.request.Request(
    "http://127.0.0.1:%s/v1/queue/stats" % sys.argv[1],
    headers={"Authorization": "Bearer " + os.environ["QUEUE_STATS_TOKEN"]})
s = json.load(urllib.request.urlopen(request, timeout=10))["counts"]
print(s["queued"] + s["deferred"] + s["sending"], s["sent"], s["failed"], sum(s.values()))
