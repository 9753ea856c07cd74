#![recursion_limit = "256"]

//! The axum host: configuration, database, sessions, security middleware, and the Leptos
//! app with its server functions. `main.rs` only starts it; tests build it in-process.

mod allocator;
pub mod config;
pub mod db;
pub mod error;
pub mod keys;
pub mod middleware;
mod preload;
pub mod ssh_keys;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app::password::PasswordHasher;
use app::state::{AppState, Services};
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

pub use config::Config;
use db::SessionPool;
pub use error::StartupError;

/// The site's `LeptosOptions`, from our config rather than cargo-leptos' variables, so a
/// deployed binary runs without them. The output name is fixed in Cargo.toml's metadata.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tessera")
        .site_root(config.server.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.server.site_addr)
        .reload_port(3001)
        .build()
}

pub struct Server {
    pub router: Router,
    pub state: AppState,
}

/// Connects to the database, runs migrations, and assembles the whole application.
pub async fn build(config: &Config) -> Result<Server, StartupError> {
    build_with_settings(config, config.app_settings()).await
}

/// [`build`] with the domain settings given rather than derived from `config`: tests use it
/// for windows of seconds that the configuration (in minutes) cannot express.
pub async fn build_with_settings(
    config: &Config,
    settings: app::state::Settings,
) -> Result<Server, StartupError> {
    let database = db::connect(&config.database).await?;
    let secrets = keys::load(config, &database.app).await?;
    let transport = match config.mail.smtp_url.as_str() {
        "" => app::mail::transport::Transport::files(config.mail_folder(), &config.mail.from),
        url => app::mail::transport::Transport::smtp(
            url,
            &config.mail.from,
            Duration::from_secs(u64::from(config.mail.send_timeout_seconds)),
        ),
    }
    .map_err(StartupError::Config)?;
    // By default one core stays free of password hashing, so a burst of logins queues
    // behind the hashes instead of slowing every other page.
    let concurrency = match config.security.password_hash_concurrency {
        0 => std::thread::available_parallelism()
            .map(|n| n.get().saturating_sub(1).max(1))
            .unwrap_or(1),
        n => n,
    };
    let relying_party = app::state::relying_party(&settings);
    let state = AppState::new(Services {
        leptos_options: leptos_options(config),
        db: database.app,
        settings,
        hasher: PasswordHasher::new(concurrency, config.security.password_hash_nice)?,
        secrets,
        outbox: app::mail::Outbox::new(),
        relying_party,
    });
    spawn_mail_worker(config, &state, transport);

    let router = match database.sessions {
        SessionPool::Sqlite(pool) => {
            let store = SqliteStore::new(pool.clone());
            store.migrate().await?;
            let ids = sqlx::query_scalar("SELECT id FROM tower_sessions")
                .fetch_all(&pool)
                .await;
            list_sessions_from_before(&state, &store, ids).await?;
            assemble(config, state.clone(), store)
        }
        SessionPool::Postgres(pool) => {
            let store = PostgresStore::new(pool.clone());
            store.migrate().await?;
            let ids = sqlx::query_scalar(r#"SELECT id FROM "tower_sessions"."session""#)
                .fetch_all(&pool)
                .await;
            list_sessions_from_before(&state, &store, ids).await?;
            assemble(config, state.clone(), store)
        }
    };
    Ok(Server { router, state })
}

/// Puts the sessions that were signed in before the Sessions list existed on it, once: the
/// first start after the upgrade (a marker the migration left) reads every record in the store
/// (`ids`, its ids) through the store itself, so the record format stays the store's business.
async fn list_sessions_from_before<S: SessionStore>(
    state: &AppState,
    store: &S,
    ids: Result<Vec<String>, sqlx::Error>,
) -> Result<(), StartupError> {
    let db = &state.db;
    if !app::db::sessions::from_before_pending(db).await? {
        return Ok(());
    }
    let now = app::clock::now_unix();
    let mut listed = 0;
    for id in ids? {
        let Ok(id) = id.parse::<tower_sessions::session::Id>() else {
            continue;
        };
        // A record that does not load (expired, or unreadable) has nothing to list.
        let Ok(Some(record)) = store.load(&id).await else {
            continue;
        };
        match app::session::list_from_before(
            db,
            &state.settings,
            &id.to_string(),
            &record.data,
            now,
        )
        .await
        {
            Ok(true) => listed += 1,
            Ok(false) => {}
            Err(error) => tracing::warn!(?error, "listing a session from before the list failed"),
        }
    }
    app::db::sessions::from_before_listed(db).await?;
    if listed > 0 {
        tracing::info!(listed, "sessions from before the Sessions list are listed");
    }
    Ok(())
}

fn assemble<S>(config: &Config, state: AppState, store: S) -> Router
where
    S: SessionStore + tower_sessions::ExpiredDeletion + Clone,
{
    spawn_cleanup(state.clone(), store.clone());
    let https = config.is_https();
    // Lax, not Strict: a link from a mail (an invitation) must arrive signed in. `__Host-`
    // pins the cookie to this host and path over https.
    let sessions = SessionManagerLayer::new(store)
        .with_name(middleware::session_cookie_name(https))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(state.settings.session_idle_secs),
        ));

    let resolver = middleware::UserResolver {
        app: state.clone(),
        trust_forwarded_for: config.server.trust_forwarded_for,
    };
    let public_origin: Arc<str> = config.server.public_url.clone().into();
    let routes = route_list();
    let context_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .layer(axum::middleware::from_fn_with_state(
            preload::IslandChunks::load(
                Path::new(&*state.leptos_options.site_root),
                &state.leptos_options.site_pkg_dir,
            ),
            preload::preload_island_chunks,
        ))
        .route(
            "/settings/ssh-keys/authorized_keys",
            axum::routing::get(ssh_keys::download),
        )
        .route("/users/{file}", axum::routing::get(ssh_keys::user_keys))
        .layer(axum::middleware::from_fn_with_state(
            resolver,
            middleware::resolve_user,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(middleware::keep_session_cookie))
        .layer(axum::middleware::from_fn_with_state(
            middleware::TypedFieldsKeeper {
                app: state.clone(),
                https,
            },
            middleware::keep_typed_fields,
        ))
        .layer(axum::middleware::from_fn_with_state(
            public_origin,
            middleware::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn(middleware::limit_body));

    // Built assets and the 404 page go around the session layer: no session work for them.
    // Assets are served by tower-http, and only a miss reaches Leptos' handler (the 404
    // page): that handler looks up `ResponseOptions` through the thread's current reactive
    // owner, which can be a page still rendering for someone else on the same worker, and
    // so took that page's headers (its script policy) onto a `.wasm` response. ServeDir also
    // answers revalidation with 304.
    let not_found = axum::handler::Handler::with_state(
        leptos_axum::file_and_error_handler::<AppState, _>(shell),
        state.clone(),
    );
    let site = ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(not_found);
    Router::new()
        .merge(pages)
        .fallback_service(site)
        .with_state(state)
        // Brotli's default quality (11) costs milliseconds and megabytes per response; 4 is
        // the usual choice for on-the-fly compression. Built assets are precompressed.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(axum::middleware::from_fn_with_state(
            https,
            middleware::security_headers,
        ))
}

/// The app's routes, generated once per process. Generating them renders the app with
/// resource loading switched off by a process-wide flag (leptos_server's
/// `SuppressResourceLoad`, leptos-rs/leptos#4773): a page that first polls a resource on
/// another thread meanwhile waits forever. A server builds its router before it serves, so
/// generating once, before the first router exists, leaves no page to catch the flag; tests,
/// which build many servers in one process while others serve, rely on this too.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Sends the outbox in the background, for as long as the runtime lives.
fn spawn_mail_worker(
    config: &Config,
    state: &AppState,
    transport: app::mail::transport::Transport,
) {
    let settings = app::mail::worker::WorkerSettings {
        retry_secs: i64::from(config.mail.retry_seconds),
        max_attempts: i64::from(config.mail.max_attempts),
        // Mail committed here wakes the worker at once; polling picks up what other
        // processes queued and retries that came due.
        poll: Duration::from_secs(u64::from(config.mail.retry_seconds).clamp(1, 5)),
    };
    tokio::spawn(app::mail::worker::run(
        state.db.clone(),
        state.outbox.clone(),
        transport,
        settings,
    ));
}

/// Periodically deletes expired sessions and what [`sweep`] deletes.
fn spawn_cleanup<S>(state: AppState, store: S)
where
    S: tower_sessions::ExpiredDeletion + Clone,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(error) = store.delete_expired().await {
                tracing::warn!(%error, "deleting expired sessions failed");
            }
            sweep(&state, app::clock::now_unix()).await;
        }
    });
}

/// Deletes what ran out by `now`: the Sessions list's rows of expired sessions, security log
/// entries past their retention, finished throttle windows, device setups that ran out of
/// time, expired email links and mail sent more than a week ago. Each on its own, so one
/// failure does not keep the others.
pub async fn sweep(state: &AppState, now: i64) {
    if let Err(error) = app::db::sessions::prune(&state.db, now).await {
        tracing::warn!(%error, "pruning expired sessions from the list failed");
    }
    if let Err(error) = app::security_log::prune(state, now).await {
        tracing::warn!(?error, "pruning the security log failed");
    }
    if let Err(error) = app::db::throttle::prune(&state.db, now).await {
        tracing::warn!(%error, "pruning login throttle failed");
    }
    let expired = now - app::two_factor::service::PENDING_SECS;
    if let Err(error) = app::db::two_factor::prune_pending(&state.db, expired).await {
        tracing::warn!(%error, "pruning unfinished device setups failed");
    }
    if let Err(error) = app::db::passkeys::prune_ceremonies(&state.db, now).await {
        tracing::warn!(%error, "pruning expired passkey ceremonies failed");
    }
    if let Err(error) = app::db::email_tokens::prune(&state.db, now).await {
        tracing::warn!(%error, "pruning expired email links failed");
    }
    if let Err(error) = app::db::outbox::prune_sent(&state.db, now - 7 * 86_400).await {
        tracing::warn!(%error, "pruning sent mail failed");
    }
}
