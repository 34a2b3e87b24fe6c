"""Where the cluster is and what a person sees when it is not there (no cluster needed)."""
from __future__ import annotations

import pytest
from oscluster import free_port_base

from searchkit.engines.opensearch_client import Cluster, ClusterConfig, EngineUnavailableError, connect


def test_url_credentials_and_tls_from_the_environment():
    env = {"SEARCHKIT_OPENSEARCH_URL": "https://search.example.org:9200/",
           "SEARCHKIT_OPENSEARCH_USER": "reader", "SEARCHKIT_OPENSEARCH_PASSWORD": "s3cret"}
    config = ClusterConfig.from_env(env=env)
    assert (config.url, config.username, config.password) == ("https://search.example.org:9200", "reader", "s3cret")
    assert config.verify_certs, "TLS verification is on unless switched off"
    assert "s3cret" not in repr(config)
    assert not ClusterConfig.from_env(env={**env, "SEARCHKIT_OPENSEARCH_VERIFY": "0"}).verify_certs


def test_password_in_the_url_is_kept_out_of_the_url_and_messages():
    config = ClusterConfig.from_env("http://reader:s3cret@127.0.0.1:9200", env={})
    assert config.url == "http://127.0.0.1:9200" and config.password == "s3cret"
    with pytest.raises(EngineUnavailableError) as e:
        ClusterConfig.from_env("ftp://reader:s3cret@127.0.0.1", env={})
    assert "s3cret" not in str(e.value)


@pytest.mark.parametrize("url", [None, "127.0.0.1:9200", "http://"])
def test_missing_or_malformed_url_is_one_line(url):
    with pytest.raises(EngineUnavailableError) as e:
        ClusterConfig.from_env(url, env={})
    assert "\n" not in str(e.value)


def test_unreachable_cluster_is_one_line_naming_the_url():
    port = free_port_base(1, start=19900)
    with pytest.raises(EngineUnavailableError) as e:
        connect(f"http://127.0.0.1:{port}")
    message = str(e.value)
    assert f"http://127.0.0.1:{port}" in message and "\n" not in message
    assert "refused" in message.lower()


def test_several_node_urls_are_one_cluster_the_client_goes_round():
    config = ClusterConfig.from_env(" http://127.0.0.1:9200/, http://reader:s3cret@127.0.0.1:9201 ,", env={})
    assert config.hosts == ["http://127.0.0.1:9200", "http://127.0.0.1:9201"]
    assert config.url == "http://127.0.0.1:9200,http://127.0.0.1:9201" and config.password == "s3cret"
    client = Cluster(config).client.transport
    assert sorted(c.host for c in client.connection_pool.connections) == config.hosts
    assert client.max_retries >= len(config.hosts) - 1, "a request may try every node before giving up"
    with pytest.raises(EngineUnavailableError) as e:
        ClusterConfig.from_env("http://127.0.0.1:9200,127.0.0.1:9201", env={})
    assert "127.0.0.1:9201" in str(e.value)


def test_the_client_verifies_certificates_and_sends_the_credentials():
    """What `ClusterConfig` parsed reaches the connections opensearch-py will use (no cluster needed)."""
    import base64

    env = {"SEARCHKIT_OPENSEARCH_USER": "reader", "SEARCHKIT_OPENSEARCH_PASSWORD": "s3cret"}
    (conn,) = Cluster(ClusterConfig.from_env("https://search.example.org:9200", env=env)).client.transport \
        .connection_pool.connections
    assert conn.use_ssl and conn.pool.cert_reqs == "CERT_REQUIRED"
    assert conn.headers["authorization"] == "Basic " + base64.b64encode(b"reader:s3cret").decode()
    (off,) = Cluster(ClusterConfig.from_env("https://search.example.org:9200",
                                            env={"SEARCHKIT_OPENSEARCH_VERIFY": "false"})).client.transport \
        .connection_pool.connections
    assert off.pool.cert_reqs == "CERT_NONE" and "authorization" not in off.headers
