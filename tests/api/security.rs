//! TLS (with and without client certificates), bearer tokens, the open-stream
//! limit and deadlines, through the real server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use newscorpus::app::{self, AppConfig, RunningApp};
use newscorpus::corpus::Limits;
use newscorpus::grpc::auth::Tokens;
use newscorpus::grpc::pb;
use newscorpus::grpc::pb::corpus_service_client::CorpusServiceClient;
use newscorpus::grpc::{ServerOptions, ServiceOptions, TlsFiles};
use newscorpus::store::memory::MemoryStore;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic::{Code, Request};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use crate::helpers::*;

struct Pem {
    cert: String,
    key: String,
}

struct Pki {
    ca: String,
    server: Pem,
    client: Pem,
    other_ca: String,
    rogue_client: Pem,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn leaf(issuer: &CertifiedIssuer<'static, KeyPair>, names: &[&str]) -> Pem {
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    Pem {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

/// Certificates made at test time: nothing secret is checked in.
fn pki() -> Pki {
    let ca1 = ca("newscorpus test CA");
    let ca2 = ca("some other CA");
    Pki {
        ca: ca1.pem(),
        server: leaf(&ca1, &["localhost"]),
        client: leaf(&ca1, &["client.test"]),
        other_ca: ca2.pem(),
        rogue_client: leaf(&ca2, &["rogue.test"]),
    }
}

async fn start(server: ServerOptions) -> (RunningApp, Arc<MemoryStore>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let store = Arc::new(MemoryStore::new().unwrap());
    let config = AppConfig {
        database: None,
        data_dir: None,
        corpus: Some(seeds_dir()),
        limits: Limits::default(),
        server,
    };
    let running = app::start_with_store(config, listener, store.clone())
        .await
        .unwrap();
    (running, store)
}

async fn tls_channel(
    port: u16,
    ca: &str,
    identity: Option<&Pem>,
) -> Result<Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost");
    if let Some(id) = identity {
        tls = tls.identity(Identity::from_pem(&id.cert, &id.key));
    }
    Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(tls)?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
}

async fn article_count(channel: Channel) -> Result<usize, tonic::Status> {
    let stream = CorpusServiceClient::new(channel)
        .list_articles(pb::ListArticlesRequest::default())
        .await?
        .into_inner();
    Ok(collect(stream).await?.len())
}

#[tokio::test]
async fn mutual_tls_admits_only_clients_of_the_trusted_ca() {
    let pki = pki();
    let (running, _) = start(ServerOptions {
        tls: Some(TlsFiles {
            cert: pki.server.cert.clone().into_bytes(),
            key: pki.server.key.clone().into_bytes(),
            client_ca: Some(pki.ca.clone().into_bytes()),
            paths: None,
        }),
        ..Default::default()
    })
    .await;
    let port = running.addr.port();

    let good = tls_channel(port, &pki.ca, Some(&pki.client))
        .await
        .expect("handshake");
    wait_serving_on(&good, "").await;
    assert_eq!(article_count(good).await.unwrap(), 5);

    // A client certificate from another CA is refused.
    let refused = match tls_channel(port, &pki.ca, Some(&pki.rogue_client)).await {
        Err(_) => true,
        Ok(channel) => article_count(channel).await.is_err(),
    };
    assert!(refused, "client signed by the wrong CA got in");
    // No client certificate at all is refused.
    let refused = match tls_channel(port, &pki.ca, None).await {
        Err(_) => true,
        Ok(channel) => article_count(channel).await.is_err(),
    };
    assert!(refused, "client without a certificate got in");
    // A client that trusts another CA will not talk to the server.
    let refused = match tls_channel(port, &pki.other_ca, Some(&pki.client)).await {
        Err(_) => true,
        Ok(channel) => article_count(channel).await.is_err(),
    };
    assert!(
        refused,
        "client accepted a server certificate from an untrusted CA"
    );
    // Plaintext is not served on a TLS port.
    let plain = Channel::from_shared(format!("http://127.0.0.1:{port}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(5))
        .connect()
        .await;
    if let Ok(channel) = plain {
        assert!(article_count(channel).await.is_err());
    }
    running.shutdown.cancel();
}

#[tokio::test]
async fn server_only_tls_serves_any_client_that_trusts_it() {
    let pki = pki();
    let (running, _) = start(ServerOptions {
        tls: Some(TlsFiles {
            cert: pki.server.cert.clone().into_bytes(),
            key: pki.server.key.clone().into_bytes(),
            client_ca: None,
            paths: None,
        }),
        ..Default::default()
    })
    .await;
    let channel = tls_channel(running.addr.port(), &pki.ca, None)
        .await
        .unwrap();
    wait_serving_on(&channel, "").await;
    assert_eq!(article_count(channel).await.unwrap(), 5);
    running.shutdown.cancel();
}

const READ_TOKEN: &str = "reader-7f3a9c1e5b2d4f60";
const WRITE_TOKEN: &str = "writer-0d9e8c7b6a5f4e31";

fn with_token<T>(message: T, token: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(token) = token {
        let value: MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
        request.metadata_mut().insert("authorization", value);
    }
    request
}

fn tokens() -> Arc<Tokens> {
    Arc::new(Tokens::parse(&format!("read:{READ_TOKEN}\nwrite:{WRITE_TOKEN}\n")).unwrap())
}

async fn stats(
    client: &mut Client,
    token: Option<&str>,
) -> Result<pb::GetCorpusStatsResponse, tonic::Status> {
    client
        .get_corpus_stats(with_token(pb::GetCorpusStatsRequest {}, token))
        .await
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn tokens_gate_reads_and_writes_but_not_health() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            service: ServiceOptions {
                auth: Some(tokens()),
                ..Default::default()
            },
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let mut client = app.client.clone();
    assert_eq!(
        stats(&mut client, None).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    assert_eq!(
        stats(&mut client, Some("not-a-real-token-at-all"))
            .await
            .unwrap_err()
            .code(),
        Code::Unauthenticated
    );
    assert_eq!(
        stats(&mut client, Some(READ_TOKEN))
            .await
            .unwrap()
            .article_count,
        5
    );
    assert_eq!(
        stats(&mut client, Some(WRITE_TOKEN))
            .await
            .unwrap()
            .article_count,
        5
    );
    // Streams are gated the same way.
    let err = client
        .list_articles(with_token(pb::ListArticlesRequest::default(), None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert!(!err.message().contains(READ_TOKEN));

    let item = pb::IngestArticlesRequest {
        text: "The mayor of Springfield said \"we will rebuild the bridge\" on Monday.".into(),
        ..Default::default()
    };
    let denied = client
        .ingest_articles(with_token(
            tokio_stream::iter(vec![item.clone()]),
            Some(READ_TOKEN),
        ))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let results = collect(
        client
            .ingest_articles(with_token(
                tokio_stream::iter(vec![item]),
                Some(WRITE_TOKEN),
            ))
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(results[0].status, pb::IngestStatus::Created as i32);
    // Health stays open by default.
    let health = app
        .health()
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status, 1);
}

#[tokio::test]
async fn health_and_reflection_can_be_protected_too() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = AppConfig {
        database: None,
        data_dir: None,
        corpus: Some(seeds_dir()),
        limits: Limits::default(),
        server: ServerOptions {
            service: ServiceOptions {
                auth: Some(tokens()),
                ..Default::default()
            },
            protect_health: true,
            ..Default::default()
        },
    };
    let running = app::start(config, listener).await.unwrap();
    let channel = Channel::from_shared(format!("http://{}", running.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel);
    let open = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(open.code(), Code::Unauthenticated);
    let mut ok = false;
    for _ in 0..200 {
        let r = health
            .check(with_token(
                HealthCheckRequest {
                    service: String::new(),
                },
                Some(READ_TOKEN),
            ))
            .await;
        if r.map(|r| r.into_inner().status == 1).unwrap_or(false) {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(ok);
    // Reflection (v1 and v1alpha) is behind the same gate: refused without a
    // token, served with one.
    async fn list_services(
        channel: Channel,
        token: Option<&str>,
    ) -> Result<Vec<String>, tonic::Status> {
        use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
        use tonic_reflection::pb::v1::ServerReflectionRequest;
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut responses = ServerReflectionClient::new(channel)
            .server_reflection_info(with_token(tokio_stream::iter(vec![request]), token))
            .await?
            .into_inner();
        let mut names = Vec::new();
        while let Some(response) = responses.message().await? {
            if let Some(MessageResponse::ListServicesResponse(list)) = response.message_response {
                names.extend(list.service.into_iter().map(|s| s.name));
            }
        }
        Ok(names)
    }
    async fn v1alpha_refused(channel: Channel) -> tonic::Status {
        use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::v1alpha::ServerReflectionRequest;
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let result = async {
            let mut responses = ServerReflectionClient::new(channel)
                .server_reflection_info(tokio_stream::iter(vec![request]))
                .await?
                .into_inner();
            while responses.message().await?.is_some() {}
            Ok::<_, tonic::Status>(())
        }
        .await;
        result.expect_err("v1alpha reflection without a token")
    }
    let channel = Channel::from_shared(format!("http://{}", running.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let refused = list_services(channel.clone(), None).await.unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    assert_eq!(
        v1alpha_refused(channel.clone()).await.code(),
        Code::Unauthenticated
    );
    let services = list_services(channel, Some(READ_TOKEN)).await.unwrap();
    assert!(
        services.iter().any(|s| s == "newscorpus.v1.CorpusService"),
        "{services:?}"
    );
    running.shutdown.cancel();
}

#[tokio::test]
async fn open_streams_are_capped_with_resource_exhausted() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            service: ServiceOptions {
                max_open_streams: 2,
                ..Default::default()
            },
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let mut client = app.client.clone();
    let first = client
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap();
    let _second = client
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap();
    let third = client
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap_err();
    assert_eq!(third.code(), Code::ResourceExhausted);
    assert!(third.message().contains("limit 2"));
    // Unary calls still work while streams are at the cap.
    assert_eq!(stats(&mut client, None).await.unwrap().article_count, 5);
    // A closed stream frees its slot.
    drop(first);
    let mut reopened = false;
    for _ in 0..200 {
        if client
            .watch_articles(pb::WatchArticlesRequest::default())
            .await
            .is_ok()
        {
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(reopened);
}

#[tokio::test]
async fn deadlines_end_streams_and_the_work_behind_them() {
    let app = spawn_app().await;
    let baseline = app.store.watcher_count();
    let mut request = Request::new(pb::WatchArticlesRequest::default());
    request.set_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let mut stream = app
        .client
        .clone()
        .watch_articles(request)
        .await
        .unwrap()
        .into_inner();
    let end = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("stream ended by the deadline");
    match end {
        Some(Err(status)) => assert!(
            matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
            "{status:?}"
        ),
        other => panic!("unexpected {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    let mut stopped = false;
    for _ in 0..300 {
        if app.store.watcher_count() == baseline {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(stopped, "watch producer outlived the deadline");
    // A unary call whose deadline has passed on arrival fails with the
    // deadline status (the server's own check; `grpc-timeout: 1n`); the
    // server goes on.
    let mut tiny = Request::new(pb::GetCorpusStatsRequest {});
    tiny.set_timeout(Duration::from_nanos(1));
    let status = app
        .client
        .clone()
        .get_corpus_stats(tiny)
        .await
        .expect_err("a deadline of 1 ns has passed");
    assert!(is_deadline(&status), "{status:?}");
    assert_eq!(
        stats(&mut app.client.clone(), None)
            .await
            .unwrap()
            .article_count,
        5
    );
}

#[tokio::test]
async fn excess_calls_on_one_connection_are_shed_not_queued() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_in_flight_per_connection: Some(1),
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    // A call holds its slot until it is answered: one whose request body has
    // not arrived yet holds it for as long as the client likes. With that
    // slot taken, the next call on the same connection is shed at once with
    // RESOURCE_EXHAUSTED, not queued behind it; once the first finishes,
    // calls run again. Raw HTTP/2, so that the body can be held back.
    use tonic::codegen::http;
    let tcp = tokio::net::TcpStream::connect(app.running.addr)
        .await
        .unwrap();
    let (h2, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let request = || {
        http::Request::builder()
            .method("POST")
            .uri(format!(
                "http://{}/newscorpus.v1.CorpusService/GetCorpusStats",
                app.running.addr
            ))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(())
            .unwrap()
    };
    let empty_message = prost::bytes::Bytes::from_static(&[0, 0, 0, 0, 0]);
    let grpc_status = |response: &http::Response<h2::RecvStream>| {
        response
            .headers()
            .get("grpc-status")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (held, mut held_body) = h2.send_request(request(), false).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..3 {
        h2 = h2.ready().await.unwrap();
        let (shed, mut body) = h2.send_request(request(), false).unwrap();
        body.send_data(empty_message.clone(), true).unwrap();
        let shed = tokio::time::timeout(Duration::from_secs(2), shed)
            .await
            .expect("shed at once, not queued")
            .unwrap();
        assert_eq!(grpc_status(&shed).as_deref(), Some("8"), "{shed:?}");
        let message = shed
            .headers()
            .get("grpc-message")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            message.contains("Too%20many%20active%20requests"),
            "{message}"
        );
    }
    held_body.send_data(empty_message.clone(), true).unwrap();
    let held = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.status(), 200);
    let mut held = held.into_body();
    while let Some(chunk) = held.data().await {
        chunk.unwrap();
    }
    let trailers = held.trailers().await.unwrap().unwrap_or_default();
    assert_eq!(trailers.get("grpc-status").unwrap(), "0");
    // The server keeps serving.
    assert_eq!(
        stats(&mut app.client.clone(), None)
            .await
            .unwrap()
            .article_count,
        5
    );
}

/// `--tls-cert` / `--tls-key` (and `--tls-client-ca`) read PEM files through
/// the binary's flags: a client that trusts the CA gets answers, a plaintext
/// one does not, and with a client CA only clients of that CA get in.
#[tokio::test]
async fn tls_flags_load_pem_files() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let cert = write("server.crt", &pki.server.cert);
    let key = write("server.key", &pki.server.key);
    let ca = write("ca.crt", &pki.ca);
    let seeds = seeds_dir();
    let port = |addr: &str| addr.rsplit_once(':').unwrap().1.parse::<u16>().unwrap();

    let server = spawn_server(&[
        "--corpus".as_ref(),
        seeds.as_os_str(),
        "--tls-cert".as_ref(),
        cert.as_os_str(),
        "--tls-key".as_ref(),
        key.as_os_str(),
    ]);
    let channel = tls_channel(port(&server.addr), &pki.ca, None)
        .await
        .unwrap();
    assert_eq!(article_count(channel).await.unwrap(), 5);
    let plain = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await;
    if let Ok(plain) = plain {
        assert!(
            article_count(plain).await.is_err(),
            "plaintext served on a TLS port"
        );
    }
    // A client of another CA is refused: the server's certificate is not one it trusts.
    assert!(
        tls_channel(port(&server.addr), &pki.other_ca, None)
            .await
            .map(|_| ())
            .is_err()
            || article_count(
                tls_channel(port(&server.addr), &pki.other_ca, None)
                    .await
                    .unwrap()
            )
            .await
            .is_err()
    );

    let mutual = spawn_server(&[
        "--corpus".as_ref(),
        seeds.as_os_str(),
        "--tls-cert".as_ref(),
        cert.as_os_str(),
        "--tls-key".as_ref(),
        key.as_os_str(),
        "--tls-client-ca".as_ref(),
        ca.as_os_str(),
    ]);
    let admitted = tls_channel(port(&mutual.addr), &pki.ca, Some(&pki.client))
        .await
        .unwrap();
    assert_eq!(article_count(admitted).await.unwrap(), 5);
    let anonymous = tls_channel(port(&mutual.addr), &pki.ca, None).await;
    let refused = match anonymous {
        Err(_) => true,
        Ok(channel) => article_count(channel).await.is_err(),
    };
    assert!(refused, "a client without a certificate got in");
    let rogue = tls_channel(port(&mutual.addr), &pki.ca, Some(&pki.rogue_client)).await;
    let refused = match rogue {
        Err(_) => true,
        Ok(channel) => article_count(channel).await.is_err(),
    };
    assert!(refused, "a client of another CA got in");
}
