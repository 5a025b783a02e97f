-- newscorpus PostgreSQL schema, version 2: corpus analytics in the projection.
--
-- Stories and syndicated copies are decided by every replica as it replays
-- `articles` in `seq` order (the same decisions on every replica); like the
-- rest of the projection they are derived data, written for SQL users.

-- The article's story (`story/<id of its first article>`) and, for a
-- syndicated copy, the earliest near-identical article. NULL until projected.
ALTER TABLE articles
    ADD COLUMN story_id     text,
    ADD COLUMN duplicate_of text;
CREATE INDEX articles_story ON articles (story_id);

-- One row per story, refreshed whenever one of its articles is projected.
CREATE TABLE stories (
    id              text    PRIMARY KEY,
    -- Headline of its most central article.
    title           text    NOT NULL,
    article_count   integer NOT NULL,
    -- YYYY-MM-DD, or '' when none of its articles is dated.
    first_published text    NOT NULL,
    last_published  text    NOT NULL,
    outlets         text[]  NOT NULL,
    top_entity_ids  text[]  NOT NULL
);
