//! The schema: versioned migrations (refinery, `migrations/`) embedded in the binary,
//! applied under an advisory lock so replicas starting together apply each once.

use super::*;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Runs the embedded migrations on `client`, under an advisory lock so that
/// replicas starting together apply them once; returns the versions applied.
pub(super) async fn run_migrations(client: &mut tokio_postgres::Client) -> Result<Vec<String>> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATE_LOCK])
        .await
        .map_err(db_error)?;
    let report = embedded::migrations::runner()
        .run_async(client)
        .await
        .map_err(|e| Error::Internal(format!("database migration failed: {e}")));
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATE_LOCK])
        .await;
    Ok(report?
        .applied_migrations()
        .iter()
        .map(|m| m.to_string())
        .collect())
}

/// `newscorpus migrate`: brings the schema up to date and returns the
/// versions applied now (serving replicas also do this at start).
pub async fn migrate(options: &PgOptions) -> Result<Vec<String>> {
    let config = pg_config(options)?;
    let (mut client, connection) = config.connect(NoTls).await.map_err(db_error)?;
    let driver = tokio::spawn(connection);
    let result = run_migrations(&mut client).await;
    drop(client);
    let _ = driver.await;
    result
}
