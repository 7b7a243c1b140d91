"""Workspace schema, as numbered migrations applied in order (``PRAGMA user_version`` records the last).

Append new migrations at the end; never edit one that has shipped.
"""

MIGRATIONS: list[str] = [
    # 1: the data model (docs/ARCHITECTURE.md, "Data model")
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        mime TEXT,
        kind TEXT,
        size_bytes INTEGER,
        pages INTEGER,
        chars INTEGER DEFAULT 0,
        tokens INTEGER DEFAULT 0,
        lang TEXT,
        status TEXT NOT NULL DEFAULT 'ok',
        error TEXT,
        warnings TEXT,
        stored_path TEXT,
        added_at TEXT NOT NULL,
        meta_json TEXT
    );
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        heading_path TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        tokens INTEGER NOT NULL DEFAULT 0,
        start_char INTEGER,
        end_char INTEGER,
        page INTEGER,
        UNIQUE(document_id, ordinal)
    );
    CREATE TABLE facts (
        id TEXT PRIMARY KEY,
        chunk_id INTEGER REFERENCES chunks(id) ON DELETE SET NULL,
        document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
        statement TEXT,
        key_answer TEXT,
        lang TEXT,
        created_at TEXT NOT NULL,
        meta_json TEXT
    );
    CREATE TABLE qa_pairs (
        id INTEGER PRIMARY KEY,
        chunk_id INTEGER REFERENCES chunks(id) ON DELETE SET NULL,
        document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
        fact_id TEXT,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        key_answer TEXT,
        kind TEXT NOT NULL DEFAULT 'fact'
            CHECK (kind IN ('fact','paraphrase','refusal','false_premise','voice','extractive','manual','imported')),
        split TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train','val','heldout')),
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','kept','rejected')),
        judge_score REAL,
        judge_reason TEXT,
        generator TEXT,
        model TEXT,
        prompt_version TEXT,
        flags TEXT NOT NULL DEFAULT '',
        lang TEXT,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        meta_json TEXT
    );
    CREATE INDEX qa_pairs_fact ON qa_pairs(fact_id);
    CREATE INDEX qa_pairs_doc ON qa_pairs(document_id);
    CREATE INDEX qa_pairs_chunk ON qa_pairs(chunk_id);
    CREATE INDEX qa_pairs_status ON qa_pairs(status, split, kind);
    CREATE TABLE gen_chunks (
        chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
        recipe TEXT NOT NULL DEFAULT 'knowledge',
        status TEXT NOT NULL,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        pairs INTEGER NOT NULL DEFAULT 0,
        run_id TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chunk_id, recipe)
    );
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        config_json TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        output_dir TEXT,
        error TEXT,
        pid INTEGER,
        needs_gpu INTEGER NOT NULL DEFAULT 0,
        meta_json TEXT
    );
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        action TEXT NOT NULL,
        payload_json TEXT NOT NULL
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
    );
    """,
    # 2: the round a pair came from (1: the first generation; "Improve the missed facts" adds round N + 1)
    """
    ALTER TABLE qa_pairs ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
    """,
    # 3: blind A/B arena judgments (studio/evaluate/arena.py): one row per judged item of a match-up
    """
    CREATE TABLE arena_judgments (
        id INTEGER PRIMARY KEY,
        report TEXT NOT NULL,
        pairing TEXT NOT NULL,
        item TEXT NOT NULL,
        a_role TEXT NOT NULL CHECK (a_role IN ('baseline','challenger')),
        choice TEXT NOT NULL CHECK (choice IN ('A','B','tie','both_wrong')),
        judged_at TEXT NOT NULL,
        UNIQUE(report, pairing, item)
    );
    """,
]
