# Shared helpers of bin/backup and bin/restore (POSIX sh; sourced, not run). $ROOT is set by the caller.

say() {
    printf '%s: %s\n' "$(basename -- "$0")" "$*" >&2
}

die() {
    say "error: $*"
    exit 1
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is not installed (Debian: apt-get install postgresql-client; \
or use the compose service: docker compose run --rm backup ...)"
}

# load_setting NAME: when NAME is not set in the environment, take it from .env beside manage.py
# (the same file the settings read), as Django would.
load_setting() {
    eval "[ \"\${$1+set}\" = set ]" && return 0
    [ -f "$ROOT/.env" ] || return 0
    line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=" "$ROOT/.env" | tail -n 1) || return 0
    value=${line#*=}
    value=$(printf '%s' "$value" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
        -e 's/^"\(.*\)"$/\1/' -e "s/^'\\(.*\\)'\$/\\1/")
    eval "$1=\$value"
}

# load_s3_settings: the bucket variables, from .env when not set, exported for bin/s3-files.
load_s3_settings() {
    for name in PRIVATE_STORAGE_S3_BUCKET PRIVATE_STORAGE_S3_ENDPOINT_URL PRIVATE_STORAGE_S3_REGION \
            PRIVATE_STORAGE_S3_ACCESS_KEY PRIVATE_STORAGE_S3_SECRET_KEY PRIVATE_STORAGE_S3_ADDRESSING_STYLE \
            PRIVATE_STORAGE_S3_SSE PRIVATE_STORAGE_S3_SSE_KMS_KEY_ID; do
        load_setting "$name"
        eval "[ -n \"\${$name:-}\" ]" && export "${name?}"
    done
    return 0
}

# s3_files ARGS: bin/s3-files with $PYTHON, else the project's virtualenv, else python3 (boto3 needed).
s3_files() {
    python=${PYTHON:-}
    [ -n "$python" ] || { [ -x "$ROOT/.venv/bin/python" ] && python=$ROOT/.venv/bin/python; } || python=python3
    "$python" "$ROOT/bin/s3-files" "$@"
}

# encryption_mode: "public-key" (BACKUP_GPG_RECIPIENT), "passphrase" (BACKUP_PASSPHRASE_FILE) or "none".
encryption_mode() {
    if [ -n "${BACKUP_GPG_RECIPIENT:-}" ]; then
        printf 'public-key'
    elif [ -n "${BACKUP_PASSPHRASE_FILE:-}" ]; then
        [ -r "$BACKUP_PASSPHRASE_FILE" ] || die "BACKUP_PASSPHRASE_FILE $BACKUP_PASSPHRASE_FILE cannot be read"
        printf 'passphrase'
    else
        printf 'none'
    fi
}

encryption_json() {
    case "$1" in
        none) printf 'null' ;;
        public-key) printf '{"method": "gpg", "mode": "public-key", "recipient": "%s"}' "$(json_escape "$BACKUP_GPG_RECIPIENT")" ;;
        passphrase) printf '{"method": "gpg", "mode": "passphrase", "cipher": "AES256"}' ;;
    esac
}

# encrypt_file MODE IN OUT
encrypt_file() {
    case "$1" in
        public-key) gpg --batch --yes --quiet --trust-model always --recipient "$BACKUP_GPG_RECIPIENT" \
                        --output "$3" --encrypt "$2" ;;
        passphrase) gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file "$BACKUP_PASSPHRASE_FILE" \
                        --symmetric --cipher-algo AES256 --output "$3" "$2" ;;
    esac
}

# decrypt_file IN OUT: with the private key in gpg's keyring (GNUPGHOME), or BACKUP_PASSPHRASE_FILE.
decrypt_file() {
    if [ -n "${BACKUP_PASSPHRASE_FILE:-}" ]; then
        gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file "$BACKUP_PASSPHRASE_FILE" \
            --output "$2" --decrypt "$1"
    else
        gpg --batch --yes --quiet --output "$2" --decrypt "$1"
    fi
}

# libpq_url URL: DATABASE_URL as a connection URI pg_dump, pg_restore and psql accept.
libpq_url() {
    case "$1" in
        "") die "set DATABASE_URL to the PostgreSQL database (postgres://user:password@host:5432/name)" ;;
        postgres://*|postgresql://*) printf '%s' "$1" ;;
        pgsql://*|postgis://*) printf 'postgresql://%s' "${1#*://}" ;;
        *) die "DATABASE_URL must name a PostgreSQL database (postgres://...), not ${1%%:*}" ;;
    esac
}

# database_name URL: the database part of a connection URI (no password).
database_name() {
    printf '%s' "$1" | sed -e 's#^[a-z]*://##' -e 's#^[^/]*##' -e 's#^/##' -e 's#?.*$##'
}

# sha256_of FILE...: "HASH  FILE" lines, as sha256sum writes them.
sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$@"
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$@"
    else
        die "neither sha256sum nor shasum is installed"
    fi
}

# heads_digest: reads "chain count last_hash" lines (one per audit chain, one chain per
# organisation) on stdin; prints "TOTAL DIGEST": the events in every chain together and the
# SHA-256 of the sorted lines, so a restore is compared with every chain's head at once.
heads_digest() {
    lines=$(LC_ALL=C sort)
    [ -n "$lines" ] || return 0
    total=$(printf '%s\n' "$lines" | awk '{ n += $2 } END { print n }')
    digest=$(printf '%s\n' "$lines" | sha256_of - | awk '{print $1}')
    printf '%s %s' "$total" "$digest"
}

# sha256_check: check the SHA256SUMS file in the current folder.
sha256_check() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum -c SHA256SUMS
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 -c SHA256SUMS
    else
        die "neither sha256sum nor shasum is installed"
    fi
}

# sha256_check_list LIST: check a "HASH  FILE" list against the files in the current folder.
sha256_check_list() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum -c --quiet "$1"
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 -c --quiet "$1"
    else
        die "neither sha256sum nor shasum is installed"
    fi
}

# hash_in SUMS NAME: the hash SUMS lists for NAME.
hash_in() {
    awk -v name="$2" '$2 == name || $2 == "*" name { print $1 }' "$1"
}

size_of() {
    wc -c < "$1" | tr -d ' '
}

json_escape() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

# usage: the calling script's header comment.
usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
}
