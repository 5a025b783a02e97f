-- newscorpus PostgreSQL schema, version 1 (shared mode, --database-url).
--
-- `articles` is the source of truth: every replica replays it, in `seq`
-- order, into its own in-memory read model and search index, so all replicas
-- resolve entities and quote clusters identically. The other tables are a
-- relational projection of what the replicas computed, for SQL users; they
-- are derived data and can be rebuilt from `articles`.
--
-- Citus: article-scoped tables are distributed by article id (colocated),
-- `entities` and `entity_aliases` become reference tables. See README,
-- "Scaling PostgreSQL out with Citus".

CREATE TABLE articles (
    -- Content-derived id (the API's Article.id).
    id          text        PRIMARY KEY,
    -- Corpus position: gapless, assigned as max(seq) + 1 while holding the
    -- writers' advisory lock, so commits happen in seq order.
    seq         bigint      NOT NULL,
    source      text        NOT NULL,
    url         text        NOT NULL,
    title       text        NOT NULL,
    subtitle    text        NOT NULL,
    outlet      text        NOT NULL,
    authors     text[]      NOT NULL,
    -- YYYY-MM-DD, or '' when the text gives no date.
    published   text        NOT NULL,
    body        text        NOT NULL,
    -- The prepared article (metadata, paragraphs, entities, mentions,
    -- quotes) as LZ4-compressed JSON, the same record the embedded journal
    -- writes: replicas replay it without running extraction again.
    draft       bytea       NOT NULL,
    -- True once entities, mentions and quotes hold this article.
    projected   boolean     NOT NULL DEFAULT false,
    ingested_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX articles_seq ON articles (seq);
CREATE INDEX articles_unprojected ON articles (seq) WHERE NOT projected;
CREATE INDEX articles_outlet_published ON articles (outlet, published);

CREATE TABLE entities (
    -- The API's Entity.id, e.g. 'person/mohammad-bagheri'.
    id            text    PRIMARY KEY,
    -- OntoNotes type: PERSON, ORG, GPE, LOC, NORP, EVENT, LAW, WORK_OF_ART.
    type          text    NOT NULL,
    -- Canonical name (the longest well-formed form seen).
    name          text    NOT NULL,
    -- Corpus-wide mentions when the entity was last projected.
    mention_count integer NOT NULL
);

CREATE TABLE entity_aliases (
    entity_id text NOT NULL REFERENCES entities (id),
    -- Every surface form: full names, surnames, acronyms, transliterations.
    alias     text NOT NULL,
    PRIMARY KEY (entity_id, alias)
);
CREATE INDEX entity_aliases_lower ON entity_aliases (lower(alias));

CREATE TABLE mentions (
    article_id text    NOT NULL,
    -- Index of the mention within the article.
    idx        integer NOT NULL,
    entity_id  text    NOT NULL,
    -- Code point span in articles.body, end exclusive.
    start_char integer NOT NULL,
    end_char   integer NOT NULL,
    text       text    NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX mentions_entity ON mentions (entity_id);

CREATE TABLE quotes (
    article_id        text    NOT NULL,
    -- Index of the quote within the article; the API id is article_id/q<idx>.
    idx               integer NOT NULL,
    text              text    NOT NULL,
    -- '' when the speaker is not a known entity.
    speaker_entity_id text    NOT NULL,
    speaker_name      text    NOT NULL,
    speaker_role      text    NOT NULL,
    cue               text    NOT NULL,
    -- DIRECT, PARTIAL or SCARE.
    kind              text    NOT NULL,
    start_char        integer NOT NULL,
    end_char          integer NOT NULL,
    -- Quotes with the same cluster report the same words (small wording
    -- differences allowed); NULL for scare quotes.
    cluster           integer,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX quotes_speaker ON quotes (speaker_entity_id);
CREATE INDEX quotes_cluster ON quotes (cluster) WHERE cluster IS NOT NULL;

-- Quote (article_id, quote_idx) is also reported by corroborating_article_id:
-- the API's Quote.corroborating_article_ids, without its cap of 100.
CREATE VIEW corroborations AS
SELECT DISTINCT q.article_id, q.idx AS quote_idx, o.article_id AS corroborating_article_id
FROM quotes q
JOIN quotes o ON o.cluster = q.cluster AND o.article_id <> q.article_id
WHERE q.cluster IS NOT NULL;

-- Small records the replicas keep with the corpus, such as the manifest of
-- the --corpus folder last loaded (so an unchanged folder is not read again).
CREATE TABLE notes (
    key        text        PRIMARY KEY,
    value      bytea       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
