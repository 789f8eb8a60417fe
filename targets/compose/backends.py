"""The minimal server configs the overlay's Prometheus, Loki and Tempo run with.

Loki keeps `allow_structured_metadata` and `discover_log_levels` on (the Loki ruler rules
count `detected_level`), schema v13 on TSDB, and ingests OTLP at `/otlp`, mapping the
`service.name` resource attribute to the `service_name` label (its default); its compactor
applies the environment's log retention (`model.stack.loki.retention`). Tempo receives
OTLP on 0.0.0.0 and its metrics generator writes the service graph and span metrics to
Prometheus by remote write, which Grafana's service map reads.
"""

from __future__ import annotations

from targets.compose import names

Config = dict[str, object]


def prometheus_config(with_rules: bool) -> Config:
    """Rules, Alertmanager, and a scrape of the collector's own metrics on :8888."""
    config: Config = {
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s"},
    }
    if with_rules:
        config["rule_files"] = [f"{names.PROMETHEUS_RULES_MOUNT}/*.rules.yaml"]
    config["alerting"] = {
        "alertmanagers": [
            {"static_configs": [{"targets": [f"{names.ALERTMANAGER}:{names.ALERTMANAGER_PORT}"]}]}
        ]
    }
    config["scrape_configs"] = [
        _job(names.COLLECTOR, f"{names.COLLECTOR}:{names.COLLECTOR_TELEMETRY}"),
        _job(names.PROMETHEUS, f"localhost:{names.PROMETHEUS_PORT}"),
    ]
    return config


def _job(name: str, target: str) -> Config:
    return {"job_name": name, "static_configs": [{"targets": [target]}]}


def loki_config(retention_period: str, records: bool = False) -> Config:
    """Single-process Loki on the filesystem, with the ruler reading the alerts target's rules.

    The compactor deletes what is older than `retention_period` (without
    `retention_enabled` Loki only compacts and keeps everything); it keeps its marker files
    under /loki, and delete requests in the filesystem object store Loki already uses. With
    `records` (the environment has logs SLIs) the ruler remote-writes what its recording
    rules record to Prometheus.
    """
    return {
        "auth_enabled": False,
        "server": {"http_listen_port": names.LOKI_PORT, "grpc_listen_port": 9096},
        "common": {
            "instance_addr": "127.0.0.1",
            "path_prefix": "/loki",
            "replication_factor": 1,
            "ring": {"kvstore": {"store": "inmemory"}},
            "storage": {
                "filesystem": {
                    "chunks_directory": "/loki/chunks",
                    "rules_directory": "/loki/rules",
                }
            },
        },
        "schema_config": {
            "configs": [
                {
                    "from": "2024-04-01",
                    "store": "tsdb",
                    "object_store": "filesystem",
                    "schema": "v13",
                    "index": {"prefix": "index_", "period": "24h"},
                }
            ]
        },
        "limits_config": {
            "allow_structured_metadata": True,
            "discover_log_levels": True,
            "volume_enabled": True,
            "retention_period": retention_period,
        },
        "compactor": {
            "working_directory": "/loki/compactor",
            "compaction_interval": "10m",
            "retention_enabled": True,
            "retention_delete_delay": "2h",
            "delete_request_store": "filesystem",
        },
        "ruler": {
            "storage": {"type": "local", "local": {"directory": names.LOKI_RULES_MOUNT}},
            "rule_path": "/loki/rules-temp",
            "alertmanager_url": f"http://{names.ALERTMANAGER}:{names.ALERTMANAGER_PORT}",
            "enable_api": True,
            **(_ruler_remote_write() if records else {}),
        },
        "analytics": {"reporting_enabled": False},
    }


def _ruler_remote_write() -> Config:
    """The ruler sends what recording rules record (logs SLIs' line counts) to Prometheus.

    Its write-ahead log sits under /loki with the rest of Loki's state.
    """
    url = f"http://{names.PROMETHEUS}:{names.PROMETHEUS_PORT}/api/v1/write"
    return {
        "wal": {"dir": "/loki/ruler-wal"},
        "remote_write": {"enabled": True, "clients": {"prometheus": {"url": url}}},
    }


def tempo_config() -> Config:
    """Single-process Tempo on local storage with the metrics generator on."""
    remote_write = f"http://{names.PROMETHEUS}:{names.PROMETHEUS_PORT}/api/v1/write"
    return {
        "stream_over_http_enabled": True,
        "server": {"http_listen_port": names.TEMPO_HTTP_PORT},
        "distributor": {
            "receivers": {
                "otlp": {
                    "protocols": {
                        "grpc": {"endpoint": "0.0.0.0:4317"},
                        "http": {"endpoint": "0.0.0.0:4318"},
                    }
                }
            }
        },
        "metrics_generator": {
            "registry": {"external_labels": {"source": "tempo"}},
            "storage": {
                "path": "/var/tempo/generator/wal",
                "remote_write": [{"url": remote_write, "send_exemplars": True}],
            },
        },
        "storage": {
            "trace": {
                "backend": "local",
                "wal": {"path": "/var/tempo/wal"},
                "local": {"path": "/var/tempo/blocks"},
            }
        },
        "overrides": {
            "defaults": {
                "metrics_generator": {
                    "processors": ["service-graphs", "span-metrics"],
                }
            }
        },
    }
