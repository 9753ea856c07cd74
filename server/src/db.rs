//! Opening the database, tuning SQLite, and running the migrations for its engine.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, PgPool, SqlitePool};

use crate::config::DatabaseConfig;
use crate::error::StartupError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The typed pool the session store needs, next to the product's `Any` pool.
#[derive(Clone, Debug)]
pub enum SessionPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub struct Database {
    pub app: app::db::Db,
    pub sessions: SessionPool,
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// SQLite's pragmas for a web server: WAL so readers never block the writer,
/// synchronous=NORMAL (durable at checkpoints, fast commits), a busy timeout instead of
/// "database is locked", and foreign keys enforced.
const SQLITE_PRAGMAS: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

pub async fn connect(config: &DatabaseConfig) -> Result<Database, StartupError> {
    sqlx::any::install_default_drivers();
    let url = config.url.as_str();
    let postgres = is_postgres(url);
    if !postgres {
        create_sqlite_folder(url)?;
    }
    // `mode=rwc` creates the SQLite file on first start.
    let any_url = if postgres || url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    // sqlx pings a connection before lending it out by default: a round trip to the
    // connection's worker thread for every query. A SQLite file cannot go away under an
    // open connection, so only PostgreSQL connections are checked.
    let app = AnyPoolOptions::new()
        .max_connections(config.max_connections)
        .test_before_acquire(postgres)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                if conn.backend_name() == "SQLite" {
                    conn.execute(SQLITE_PRAGMAS).await?;
                }
                Ok(())
            })
        })
        .connect(&any_url)
        .await?;

    let sessions = if postgres {
        POSTGRES_MIGRATIONS.run(&app).await?;
        SessionPool::Postgres(
            PgPoolOptions::new()
                .max_connections(config.max_connections)
                .connect(url)
                .await?,
        )
    } else {
        SQLITE_MIGRATIONS.run(&app).await?;
        let options = SqliteConnectOptions::from_str(&any_url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        SessionPool::Sqlite(
            SqlitePoolOptions::new()
                .max_connections(config.max_connections)
                .test_before_acquire(false)
                .connect_with(options)
                .await?,
        )
    };
    Ok(Database { app, sessions })
}

fn create_sqlite_folder(url: &str) -> Result<(), StartupError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(())
}
