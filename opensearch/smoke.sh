#!/usr/bin/env bash
# curl check of a running cluster: 3 shards x 1 replica, english analyzer, highlight, terms aggregation.
set -euo pipefail
U=${OPENSEARCH_URL:-http://127.0.0.1:9200}
J='Content-Type: application/json'
show() { echo "\$ curl $*"; curl -sS "$@"; echo; }
show "$U"
show "$U/_cat/nodes?v&h=name,ip,http_address,node.role,cluster_manager"
curl -sS -XDELETE "$U/smoke" > /dev/null
show -XPUT "$U/smoke" -H "$J" -d '{"settings":{"number_of_shards":3,"number_of_replicas":1},
  "mappings":{"properties":{"title":{"type":"text","analyzer":"english"},"tag":{"type":"keyword"}}}}'
curl -sS -XPOST "$U/_bulk?refresh=true" -H 'Content-Type: application/x-ndjson' --data-binary @- > /dev/null <<'NDJSON'
{"index":{"_index":"smoke","_id":"1"}}
{"title":"The quick brown fox runs over the lazy dog","tag":"animals"}
{"index":{"_index":"smoke","_id":"2"}}
{"title":"Foxes are running in the forest","tag":"animals"}
{"index":{"_index":"smoke","_id":"3"}}
{"title":"Running a search cluster on loopback","tag":"tech"}
{"index":{"_index":"smoke","_id":"4"}}
{"title":"A recipe for distributed tests","tag":"tech"}
NDJSON
show "$U/_cluster/health/smoke?wait_for_status=green&timeout=60s&pretty"
show "$U/_cat/shards/smoke?v&h=index,shard,prirep,state,node"
show "$U/smoke/_search?pretty&filter_path=hits.total,hits.hits._id,hits.hits.highlight,aggregations" -H "$J" -d '{
  "query":{"match":{"title":"run fox"}},
  "highlight":{"fields":{"title":{}}},
  "aggs":{"tags":{"terms":{"field":"tag"}}}}'
