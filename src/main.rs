//! The `newscorpus` binary: `serve` (default), `inspect`, `healthcheck`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use newscorpus::app::{self, AppConfig};
use newscorpus::config::{
    Cli, Command, GenCorpusArgs, HealthcheckArgs, InspectArgs, MigrateArgs, RepairJournalArgs,
    ServeArgs,
};
use newscorpus::corpus::{self, Limits};
use newscorpus::model::RawArticle;
use newscorpus::telemetry::{self, LogFormat};
use tokio::net::TcpListener;

/// mimalloc: per-thread free lists suit a server whose items are built on
/// one thread and freed on another (streams), where glibc's arenas spent a
/// quarter of the time in malloc/free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        None => runtime.block_on(serve(cli.serve)),
        Some(Command::Serve(args)) => runtime.block_on(serve(*args)),
        Some(Command::Inspect(args)) => inspect(args),
        Some(Command::Healthcheck(args)) => runtime.block_on(healthcheck(args)),
        Some(Command::GenCorpus(args)) => gen_corpus(args),
        Some(Command::Migrate(args)) => runtime.block_on(migrate(args)),
        Some(Command::RepairJournal(args)) => repair_journal(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("newscorpus: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), app::BoxError> {
    telemetry::init(args.log_format);
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let config = AppConfig {
        corpus: Some(args.corpus.clone()),
        data_dir: args.data_dir.clone(),
        database: args.database()?,
        limits: args.limits(),
        server: args.server_options()?,
    };
    let running = app::start(config, listener).await?;
    let shutdown = running.shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        shutdown.cancel();
        tracing::info!("shutdown signal received; draining");
    });
    running.handle.await??;
    Ok(())
}

async fn migrate(args: MigrateArgs) -> Result<(), app::BoxError> {
    telemetry::init(LogFormat::Text);
    let options = newscorpus::store::postgres::PgOptions {
        url: args.database_url,
        pool_size: 1,
        timeout: newscorpus::config::timeout_secs(args.db_timeout_secs, "--db-timeout-secs")?,
    };
    let applied = newscorpus::store::postgres::migrate(&options).await?;
    if applied.is_empty() {
        println!("schema is up to date");
    }
    for version in applied {
        println!("applied {version}");
    }
    Ok(())
}

fn repair_journal(args: RepairJournalArgs) -> Result<(), app::BoxError> {
    telemetry::init(LogFormat::Text);
    let report = newscorpus::store::memory::repair_journal(&args.data_dir)?;
    println!("kept {} records", report.kept_records);
    if report.damaged.is_empty() {
        println!("the journal had no damage; nothing was changed");
        return Ok(());
    }
    let lost: u64 = report.damaged.iter().map(|(_, len)| len).sum();
    for (offset, len) in &report.damaged {
        println!("moved aside {len} damaged bytes at offset {offset}");
    }
    if report.unreadable_records > 0 {
        println!(
            "{} of those ranges are whole records this version cannot read",
            report.unreadable_records
        );
    }
    if let Some(saved) = &report.saved_to {
        println!("{lost} bytes saved to {}", saved.display());
    }
    println!(
        "the articles in those bytes are lost from the folder (re-ingest them if you have them); \
         articles after them moved up one position each, and the search index will be rebuilt at the next start"
    );
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn inspect(args: InspectArgs) -> Result<(), app::BoxError> {
    telemetry::init(LogFormat::Text);
    let limits = Limits::default();
    let mut out = Vec::new();
    for path in &args.files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let source = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let raw = RawArticle {
            text,
            source,
            ..Default::default()
        };
        let draft =
            corpus::prepare(raw, &limits).map_err(|e| format!("{}: {e}", path.display()))?;
        let body = draft.parsed.body();
        let entities = &draft.extraction.entities;
        let name_of = |i: usize| entities.get(i).map(|e| e.name.clone()).unwrap_or_default();
        out.push(serde_json::json!({
            "source": draft.source,
            "id": draft.id,
            "title": draft.parsed.title,
            "subtitle": draft.parsed.subtitle,
            "outlet": draft.parsed.outlet,
            "authors": draft.parsed.authors,
            "published": draft.parsed.published,
            "removed_lines": draft.parsed.removed_lines,
            "paragraphs": draft.parsed.paragraphs,
            "entities": entities,
            "mentions": draft.extraction.mentions.iter().map(|m| serde_json::json!({
                "entity": name_of(m.entity),
                "text": m.text,
                "span": m.span,
            })).collect::<Vec<_>>(),
            "quotes": draft.extraction.quotes,
            "body_chars": body.chars().count(),
        }));
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

fn gen_corpus(args: GenCorpusArgs) -> Result<(), app::BoxError> {
    telemetry::init(LogFormat::Text);
    let started = std::time::Instant::now();
    let generator = newscorpus::gen::Generator::from_path(&args.from)?.with_people(args.people);
    let bytes = if args.out.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        generator.write_jsonl(args.seed, args.count, &mut out)?
    } else {
        let file = std::fs::File::create(&args.out)
            .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        generator.write_jsonl(args.seed, args.count, &mut out)?
    };
    tracing::info!(
        articles = args.count,
        bytes,
        templates = generator.template_count(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "corpus generated"
    );
    Ok(())
}

async fn healthcheck(args: HealthcheckArgs) -> Result<(), app::BoxError> {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::HealthCheckRequest;

    let timeout = Duration::from_secs_f64(args.timeout_secs.max(0.1));
    let uri = if args.addr.contains("://") {
        args.addr.clone()
    } else {
        format!("http://{}", args.addr)
    };
    let check = async {
        let channel = tonic::transport::Endpoint::from_shared(uri)?
            .connect_timeout(timeout)
            .connect()
            .await?;
        let mut request = tonic::Request::new(HealthCheckRequest {
            service: String::new(),
        });
        if let Some(token) = args
            .token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let value = format!("Bearer {token}")
                .parse()
                .map_err(|_| "--token holds characters a header cannot carry")?;
            request.metadata_mut().insert("authorization", value);
        }
        let response = HealthClient::new(channel).check(request).await?;
        Ok::<_, app::BoxError>(response.into_inner().status)
    };
    let status = tokio::time::timeout(timeout, check)
        .await
        .map_err(|_| "health check timed out")??;
    if status == ServingStatus::Serving as i32 {
        println!("SERVING");
        Ok(())
    } else {
        let name = ServingStatus::try_from(status)
            .map(|s| s.as_str_name())
            .unwrap_or("UNKNOWN");
        Err(format!("not serving: {name}").into())
    }
}
