//! The articles log: writing new articles at gapless positions (under the writers'
//! lock, retried when the connection drops), and following it — LISTEN plus a poll — to
//! apply every article, in order, to this replica's read model.

use super::*;

impl PgStore {
    /// Applies every log entry this replica has not applied yet; returns the
    /// position reached.
    pub(super) async fn catch_up(&self) -> Result<u64> {
        let _guard = self.apply.lock().await;
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT seq, draft FROM articles WHERE seq > $1 ORDER BY seq LIMIT $2")
            .await
            .map_err(db_error)?;
        loop {
            let from = *self.local.latest_seq().borrow();
            let rows = client
                .query(&statement, &[&(from as i64), &CATCH_UP_BATCH])
                .await
                .map_err(db_error)?;
            if rows.is_empty() {
                return Ok(from);
            }
            let mut drafts = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let seq: i64 = row.get(0);
                if seq as u64 != from + 1 + i as u64 {
                    return Err(Error::Internal(format!(
                        "articles log has a gap: expected seq {}, found {seq}",
                        from + 1 + i as u64
                    )));
                }
                let bytes: &[u8] = row.get(1);
                drafts.push(decode_draft(bytes).map_err(|reason| {
                    Error::Internal(format!("article at seq {seq} cannot be read: {reason}"))
                })?);
            }
            let outcomes = self.local.insert(drafts).await?;
            if outcomes.iter().any(|o| !o.created) {
                return Err(Error::Internal(
                    "articles log holds an id twice; the read model is inconsistent".into(),
                ));
            }
        }
    }

    /// Applies articles this replica just committed at positions
    /// `first..`, if they are next in the log here; otherwise leaves them
    /// to [`PgStore::catch_up`], which applies everything in order.
    pub(super) async fn apply_own(&self, first: u64, drafts: Vec<ArticleDraft>) -> Result<()> {
        let _guard = self.apply.lock().await;
        if *self.local.latest_seq().borrow() + 1 != first {
            return Ok(());
        }
        let last = first + drafts.len() as u64 - 1;
        let outcomes = self.local.insert(drafts).await?;
        if outcomes.iter().any(|o| !o.created) || outcomes.last().map(|o| o.seq) != Some(last) {
            return Err(Error::Internal(
                "the read model is out of step with the articles log".into(),
            ));
        }
        Ok(())
    }

    /// Stores the new drafts in one transaction; returns the ids inserted
    /// and the newest position at commit.
    pub(super) async fn write(
        &self,
        drafts: &[(&ArticleDraft, Vec<u8>)],
    ) -> Result<(HashSet<String>, u64)> {
        let mut client = self.client().await?;
        let txn = client.transaction().await.map_err(db_error)?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .await
            .map_err(db_error)?;
        let mut seq: i64 = txn
            .query_one("SELECT coalesce(max(seq), 0) FROM articles", &[])
            .await
            .map_err(db_error)?
            .get(0);
        // Under the lock nobody else inserts: the ids found now are all the
        // duplicates, so positions can be given out before inserting.
        let ids: Vec<&str> = drafts.iter().map(|(d, _)| d.id.as_str()).collect();
        let mut present: HashSet<String> = txn
            .query("SELECT id FROM articles WHERE id = ANY($1)", &[&ids])
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let insert = txn
            .prepare_cached(
                "INSERT INTO articles (id, seq, source, url, title, subtitle, outlet, authors, \
                 published, body, draft) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .await
            .map_err(db_error)?;
        let mut rows = Vec::new();
        for (draft, bytes) in drafts {
            if present.insert(draft.id.clone()) {
                seq += 1;
                rows.push((*draft, bytes, seq, draft.parsed.body()));
            }
        }
        // Sent back to back on the one connection (tokio-postgres pipelines
        // concurrent queries), not one round trip each.
        futures::future::try_join_all(rows.iter().map(|(draft, bytes, seq, body)| {
            let p = &draft.parsed;
            let params: [&(dyn ToSql + Sync); 11] = [
                &draft.id,
                seq,
                &draft.source,
                &draft.url,
                &p.title,
                &p.subtitle,
                &p.outlet,
                &p.authors,
                &p.published,
                body,
                bytes,
            ];
            txn.execute_raw(&insert, params)
        }))
        .await
        .map_err(db_error)?;
        let inserted: HashSet<String> = rows.iter().map(|(d, ..)| d.id.clone()).collect();
        if !inserted.is_empty() {
            txn.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &seq.to_string()])
                .await
                .map_err(db_error)?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok((inserted, seq as u64))
    }
}

/// Follows the log for the life of the store: LISTENs on its own connection,
/// replays on every notification and at least every [`POLL_EVERY`], and
/// turns availability off while the database is gone, reconnecting with
/// backoff.
pub(super) async fn follow(store: Weak<PgStore>, config: tokio_postgres::Config) {
    let mut backoff = Duration::from_millis(250);
    loop {
        match follow_session(&store, &config).await {
            Ok(()) => return, // the store was dropped
            Err(error) => {
                let Some(s) = store.upgrade() else { return };
                if s.ready.load(Ordering::SeqCst) {
                    tracing::debug!(%error, "log follower lost the database");
                }
                s.set_up(false);
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

pub(super) async fn follow_session(
    store: &Weak<PgStore>,
    config: &tokio_postgres::Config,
) -> Result<()> {
    let (client, mut connection) = config.connect(NoTls).await.map_err(db_error)?;
    let (tx, mut notified) = mpsc::channel::<()>(1);
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    let _ = tx.try_send(());
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        // Dropping `tx` ends the session below.
    });
    let _abort = AbortOnDrop(driver);
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(db_error)?;
    loop {
        {
            let Some(s) = store.upgrade() else {
                return Ok(());
            };
            if s.ready.load(Ordering::SeqCst) {
                s.catch_up().await?;
                s.set_up(true);
            }
        }
        tokio::select! {
            got = notified.recv() => {
                if got.is_none() {
                    return Err(Error::Unavailable("database connection closed".into()));
                }
            }
            _ = tokio::time::sleep(POLL_EVERY) => {
                client.simple_query("SELECT 1").await.map_err(db_error)?;
            }
        }
    }
}
