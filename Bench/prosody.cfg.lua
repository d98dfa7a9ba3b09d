-- Prosody for Scripts/bench-compare: loopback only, no limits, MUC on chat.localhost (no
-- archive) and on archive.localhost (every room archived by mod_muc_mam, in SQLite).
-- @DIR@, @C2S_PORT@ and @TLS_PORT@ are filled in by the script.
run_as_root = true
daemonize = false
pidfile = "@DIR@/prosody.pid"
data_path = "@DIR@/data"
log = { { levels = { min = "warn" }, to = "file", filename = "@DIR@/prosody.log" } }

interfaces = { "127.0.0.1" }
c2s_ports = { @C2S_PORT@ }
c2s_direct_tls_ports = { @TLS_PORT@ }
network_backend = "epoll"
network_settings = { tcp_backlog = 4096 }

-- The no-TLS scenarios need plain c2s; STARTTLS stays offered.
c2s_require_encryption = false
allow_unencrypted_plain_auth = false
certificates = "@DIR@"
ssl = { certificate = "@DIR@/cert.pem", key = "@DIR@/key.pem" }

authentication = "internal_hashed"
default_iteration_count = 4096
default_storage = "internal"
-- Room archives in SQLite (Debian's lua-dbi-sqlite3), as Salon's; the rest as shipped.
storage = { muc_log = "sql" }
sql = { driver = "SQLite3", database = "prosody.sqlite" }
-- In-band registration provisions the bench accounts; loopback is on mod_register_limits' allowlist.
allow_registration = true

-- No s2s (and no port 5269), no rate limits (mod_limits is not loaded), no MAM for accounts.
modules_disabled = { "s2s", "s2s_auth_certs" }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "register" }

-- File upload (mod_http_file_share) over HTTPS only, as Salon serves it.
http_ports = { }
http_interfaces = { "127.0.0.1" }
https_ports = { @HTTPS_PORT@ }
https_interfaces = { "127.0.0.1" }
https_ssl = { certificate = "@DIR@/cert.pem", key = "@DIR@/key.pem" }

VirtualHost "localhost"

Component "chat.localhost" "muc"
    restrict_room_creation = false
    muc_room_locking = true

-- The archived rooms: the same MUC, every room archived.
Component "archive.localhost" "muc"
    restrict_room_creation = false
    muc_room_locking = true
    modules_enabled = { "muc_mam" }
    muc_log_all_rooms = true
    -- Persistent, as Salon's and ejabberd's archived rooms: Prosody deletes a room's archive
    -- when the room is destroyed, which an unpersistent room is once empty.
    muc_room_default_persistent = true

Component "upload.localhost" "http_file_share"
    -- Salon's MaxFileSizeKB default (20000 KB) and a quota no run reaches.
    http_file_share_size_limit = 20000 * 1024
    http_file_share_daily_quota = 10 * 1024 * 1024 * 1024
